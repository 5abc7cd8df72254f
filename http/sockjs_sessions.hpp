#pragma once
/// SockJS's XHR sessions (/{server}/{session}/xhr, xhr_streaming and xhr_send):
/// each session has a subscriber actor; what it sends is queued until a
/// receiver is attached: a poll (held open until there is something to answer or
/// a heartbeat) or a streaming response (written to until it has carried
/// stream_limit bytes; the client then opens the next one). The websocket
/// transport does not use this (it has a connection).

#include "http/message.hpp"
#include "http/server.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace flotilla::http {

/// Bytes one xhr_streaming response carries before it is ended (SockJS: 128 KiB).
inline constexpr std::size_t stream_limit = 128 * 1024;
/// SockJS sessions open at once (anyone may open one before authenticating);
/// past it a new session is refused with 503.
inline constexpr std::size_t max_sockjs_sessions = 10'000;
/// A closed session waits this long for its client to come for the close frame.
inline constexpr std::chrono::seconds closed_session_linger{30};

class sockjs_sessions {
public:
    using spawn_fn =
        std::function<caf::actor(std::function<void(std::vector<std::string>)> send,
                                 std::function<void()> close, std::function<void()> heartbeat)>;

    /// A poll: opens the session ("o") or answers with what is queued, now or later
    /// (503 when max_sockjs_sessions are open).
    void poll(const std::string& id, responder reply, const spawn_fn& spawn);
    /// A streaming receiver: the prelude, "o" for a new session, then every frame.
    void stream(const std::string& id, responder reply, const spawn_fn& spawn);
    /// Client messages; 404 for an unknown session, 500 for a body that is not
    /// a JSON array of strings (SockJS's answers), 204 otherwise.
    response send(const std::string& id, const std::string& body);
    /// The bound of what is queued for a session with no receiver (the
    /// transport's, server_config::max_queued); past it the session is closed as
    /// too slow: its next poll gets sockjs::too_slow_frame.
    void set_bound(queue_bound b) { bound_ = b; }
    /// Shutdown: held polls and streams get the close frame; every subscriber exits.
    void clear();

private:
    struct session {
        std::mutex mu;
        caf::actor subscriber;
        std::vector<std::string> queue;
        std::optional<responder> pending;       ///< a held poll
        std::shared_ptr<body_stream> streaming; ///< an xhr_streaming receiver
        std::size_t streamed = 0;               ///< bytes written to it
        std::size_t batches = 0;                ///< batches queued since the last flush
        std::size_t queued_bytes = 0;           ///< bytes in `queue`
        bool closed = false;
        bool too_slow = false; ///< closed past the bound: the close frame says so
        std::chrono::steady_clock::time_point closed_at{};
        bool heartbeat_due = false;
        int heartbeats_unpolled = 0; ///< an abandoned session is closed after two
    };
    /// The session `id`, made (with its subscriber) if new; `created` says which.
    std::shared_ptr<session> open(const std::string& id, const spawn_fn& spawn, bool& created);
    /// Whether a poll or a live stream is attached (forgets a stream whose client
    /// has gone); call with s.mu held.
    static bool has_receiver(session& s);
    /// Gives the receiver what there is to say; call with s.mu held.
    void flush(const std::string& id, session& s);
    /// Forgets sessions closed over closed_session_linger ago whose client never
    /// came for the close frame (at most once per linger); call with mu_ held.
    void sweep_closed();
    /// Empties a session's queue (and frees its memory); call with s.mu held.
    static void clear_queue(session& s);
    /// Ends the session: exits its subscriber and forgets it; call with s.mu held.
    void drop(const std::string& id, session& s);

    queue_bound bound_;
    std::chrono::steady_clock::time_point last_sweep_{};
    std::mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<session>> sessions_;
};

} // namespace flotilla::http
