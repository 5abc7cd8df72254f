#pragma once
/// Inside the transport (http/transport/, the only code that includes Beast and
/// Asio): what the listener and the two kinds of session share. The listener
/// (listener.cpp) accepts, loads TLS and runs the shutdown; an HTTP session
/// (http_session.cpp) reads requests and writes responses, chunked ones
/// included; a WebSocket session (ws_session.cpp) owns an upgraded stream. Each
/// session is a class template over its stream, explicitly instantiated for the
/// plain and the TLS stream in its own translation unit.

#include "http/message.hpp"
#include "http/server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

namespace flotilla::http {

namespace transport {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream> constexpr bool is_tls = !std::is_same_v<Stream, plain_stream>;

/// What the server needs of a session, whatever its kind and stream.
struct session_base {
    virtual ~session_base() = default;
    /// Asks the session, on its own strand, to finish what is in flight and close.
    virtual void post_shutdown() = 0;
};

/// The plain request the layers above see (headers lower-cased), without its body.
request to_request(const bhttp::request<bhttp::string_body>& msg, const std::string& remote);

} // namespace transport

/// The listener's state, which every session refers to.
struct server::impl : std::enable_shared_from_this<server::impl> {
    impl(server_config c, dispatch_fn d, upgrade_fn u)
        : cfg(std::move(c)), dispatch(std::move(d)), upgrade(std::move(u)) {}
    /// Runs before the members are destroyed: sessions that the io_context destroys
    /// afterwards must not post to the (by then destroyed) strand.
    ~impl() { alive = false; }

    // Declared before the io_context so they outlive every session it destroys.
    std::mutex mu;
    std::unordered_map<std::uint64_t, std::weak_ptr<transport::session_base>> sessions;
    std::uint64_t next_id = 0;
    std::atomic<bool> stopping{false};
    std::atomic<bool> alive{true};
    std::atomic<int> in_flight{0}; ///< requests begun and not yet answered

    server_config cfg;
    dispatch_fn dispatch;
    upgrade_fn upgrade;
    std::function<void()> on_shutdown;
    transport::net::io_context ioc;
    transport::net::strand<transport::net::io_context::executor_type> strand{
        transport::net::make_strand(ioc)};
    std::optional<transport::net::ssl::context> ssl_ctx;
    transport::tcp::acceptor acceptor{strand};
    transport::net::signal_set signals{strand};
    transport::net::steady_timer grace_timer{strand};
    unsigned short bound_port = 0;

    void accept();
    void begin_shutdown();
    void session_closed(std::uint64_t id);
    /// Registers a session for shutdown; returns its id.
    std::uint64_t add_session(std::weak_ptr<transport::session_base> s);
};

} // namespace flotilla::http
