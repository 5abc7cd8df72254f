#pragma once
/// Design: the transport (Beast over Asio) lives behind this plain interface so
/// only http/transport/ compiles Beast: the listener, the HTTP session and the
/// WebSocket session, one translation unit each (transport/transport.hpp). Each connection is a
/// session on its own strand; a complete request is handed to `dispatch`
/// together with a responder that posts the answer back onto that strand.
/// Requests on one connection are answered in order (keep-alive, pipelining).

#include "http/message.hpp"
#include "model/error.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace flotilla::http {

/// Largest request body accepted; larger → 413.
inline constexpr std::size_t max_body_bytes = 10 * 1024 * 1024;
/// Largest request header block accepted; larger → 431.
inline constexpr std::size_t max_header_bytes = 64 * 1024;
/// A keep-alive connection with no new request for this long is closed.
inline constexpr std::chrono::seconds idle_timeout{120};
/// Once a request has started, its headers must arrive within this.
inline constexpr std::chrono::seconds header_timeout{15};
/// Once headers are in, the body must arrive within this.
inline constexpr std::chrono::seconds body_timeout{60};
/// Writing one response may take at most this.
inline constexpr std::chrono::seconds write_timeout{60};
/// A TLS handshake must complete within this.
inline constexpr std::chrono::seconds tls_handshake_timeout{10};
/// On shutdown, in-flight requests get this long to finish.
inline constexpr std::chrono::seconds shutdown_grace{30};
/// After a signal, the process has ended this long past the grace period
/// whatever is still open (handle_signals' watchdog).
inline constexpr std::chrono::seconds shutdown_watchdog_margin{4};

/// Batches queued to one WebSocket, streamed response or SockJS session before
/// its client counts as too slow and is disconnected...
inline constexpr std::size_t max_queued_frames = 4096;
/// ...or bytes queued. A batch that arrives at an empty queue is always taken
/// (a late subscriber's replay is bounded by the campaign's own buffer).
inline constexpr std::size_t max_queued_bytes = 32 * 1024 * 1024;
/// A WebSocket being closed (normally, or as too slow) gets this long to finish
/// the close handshake before its socket is closed regardless.
inline constexpr std::chrono::seconds ws_close_timeout{5};

/// The one rule for every per-connection outgoing queue.
struct queue_bound {
    std::size_t max_batches = max_queued_frames;
    std::size_t max_bytes = max_queued_bytes;
    /// Whether a batch of `bytes` may join `batches` batches holding `queued` bytes.
    bool admits(std::size_t batches, std::size_t queued, std::size_t bytes) const {
        return batches == 0 || (batches < max_batches && queued + bytes <= max_bytes);
    }
};
/// Largest message a WebSocket client may send (auth and select_campaign are a
/// few hundred bytes); larger → close 1009.
inline constexpr std::size_t max_ws_message_bytes = 64 * 1024;
/// A WebSocket with no traffic is pinged this often (Fleet: 25 s).
inline constexpr std::chrono::seconds ws_ping_interval{25};

/// A WebSocket connection as the layers above see it. Thread-safe.
class ws_connection {
public:
    virtual ~ws_connection() = default;
    /// Queues text frames sent together; when the queue's bound
    /// (server_config::max_queued) does not admit them, the client is too slow:
    /// the queue is dropped, the overflow frame (if any) sent, and the
    /// connection closed with 1008 and a reason.
    /// The batch is shared, not copied: one campaign's frames go to every
    /// subscriber's queue as one allocation (each queue still counts its bytes).
    virtual void send(std::shared_ptr<const std::vector<std::string>> frames) = 0;
    void send(std::vector<std::string> frames) {
        send(std::make_shared<const std::vector<std::string>>(std::move(frames)));
    }
    void send(std::string text) { send(std::vector<std::string>{std::move(text)}); }
    /// Sends what is queued, then closes with code 1000.
    virtual void close() = 0;
    /// A text frame sent before the 1008 close of a too slow client (SockJS's
    /// `c[...]`); none by default.
    virtual void set_overflow_frame(std::string frame) = 0;
};

/// What the owner of an accepted WebSocket hears (on the connection's strand).
struct ws_handler {
    std::function<void(std::string)> on_text;
    std::function<void()> on_closed; ///< exactly once
};

/// For a WebSocket upgrade request: a handler to accept it, or a response to refuse.
using upgrade_decision = std::variant<ws_handler, response>;
using upgrade_fn = std::function<upgrade_decision(const request&, std::shared_ptr<ws_connection>)>;

struct server_config {
    std::string host = "127.0.0.1";
    unsigned short port = 8080; ///< 0 picks a free port
    bool tls = false;
    std::string cert_file;
    std::string key_file;
    unsigned io_threads = 2;
    /// Bound of a WebSocket's, streamed response's or SockJS session's queue
    /// (tests make it small).
    queue_bound max_queued;
    /// WebSocket keep-alive ping interval (tests make it short).
    std::chrono::milliseconds ping_interval = ws_ping_interval;
};

class server {
public:
    using dispatch_fn = std::function<void(request, responder)>;

    server(server_config cfg, dispatch_fn dispatch, upgrade_fn upgrade = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds and listens (and loads TLS material); does not serve yet.
    expected<void> listen();
    /// The bound port (after listen).
    unsigned short port() const;
    /// Requests whose first byte has arrived and whose answer is not yet written.
    int requests_in_flight() const;
    /// Runs once when a shutdown begins, before in-flight requests are waited for
    /// (the owner answers requests it holds open). Set before run().
    void on_shutdown(std::function<void()> fn);
    /// Stops gracefully on SIGINT and SIGTERM.
    void handle_signals();
    /// Serves on the configured I/O threads until shut down; blocks.
    void run();
    /// Stops accepting, closes idle connections, lets in-flight requests finish
    /// (up to shutdown_grace), then `run` returns. Thread-safe.
    void shutdown();

    struct impl; ///< opaque; defined in transport/transport.hpp

private:
    std::shared_ptr<impl> impl_;
};

} // namespace flotilla::http
