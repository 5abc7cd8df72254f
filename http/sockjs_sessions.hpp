#pragma once
/// SockJS's XHR polling sessions (/{server}/{session}/xhr and xhr_send): each
/// session has a subscriber actor; what it sends is queued until the client's
/// next poll, which is held open until there is something to answer (or a
/// heartbeat). The websocket transport does not use this (it has a connection).

#include "http/message.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace flotilla::http {

class sockjs_sessions {
public:
    using spawn_fn =
        std::function<caf::actor(std::function<void(std::string)> send, std::function<void()> close,
                                 std::function<void()> heartbeat)>;

    /// A poll: opens the session ("o") or answers with what is queued, now or later.
    void poll(const std::string& id, responder reply, const spawn_fn& spawn);
    /// Client messages; 404 for an unknown session, 500 for a body that is not
    /// a JSON array of strings (SockJS's answers), 204 otherwise.
    response send(const std::string& id, const std::string& body);
    /// Exits every session's subscriber (shutdown).
    void clear();

private:
    struct session {
        std::mutex mu;
        caf::actor subscriber;
        std::deque<std::string> queue;
        std::optional<responder> pending;
        bool closed = false;
        bool heartbeat_due = false;
        int heartbeats_unpolled = 0; ///< an abandoned session is closed after two
    };
    /// Answers the held poll if there is anything to say; call with s.mu held.
    void flush(const std::string& id, session& s);

    std::mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<session>> sessions_;
};

} // namespace flotilla::http
