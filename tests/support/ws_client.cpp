#include "tests/support/ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <functional>
#include <stdexcept>

namespace flotilla::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct ws_client::impl {
    net::io_context ioc;
    net::ssl::context ssl_ctx{net::ssl::context::tls_client};
    std::optional<websocket::stream<beast::tcp_stream>> plain;
    std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> tls;
    beast::flat_buffer buffer;
    int close_code = 0;
    int pings = 0;
    bool timed_out = false;
    client_options opts;

    beast::tcp_stream& lowest() {
        return tls ? beast::get_lowest_layer(*tls) : beast::get_lowest_layer(*plain);
    }
    template <class F> void with(F&& f) {
        if (tls)
            f(*tls);
        else
            f(*plain);
    }
    template <class Start> beast::error_code run(Start&& start, std::chrono::milliseconds d) {
        beast::error_code result = net::error::would_block;
        net::steady_timer timer(ioc);
        timer.expires_after(d);
        bool expired = false;
        bool done = false;
        // A WebSocket read is several socket operations (it answers a ping
        // with a pong, then reads again): a cancel between two of them is lost,
        // so once the deadline has passed every operation is cancelled until
        // the read gives up.
        std::function<void(beast::error_code)> on_timer = [&](beast::error_code ec) {
            if (ec || done)
                return;
            expired = true;
            beast::error_code ignored;
            lowest().socket().cancel(ignored);
            timer.expires_after(std::chrono::milliseconds(5));
            timer.async_wait(on_timer);
        };
        timer.async_wait(on_timer);
        start([&](beast::error_code ec, auto&&...) {
            result = ec;
            done = true;
            timer.cancel();
        });
        ioc.restart();
        ioc.run();
        if (expired)
            timed_out = true;
        return result;
    }
};

ws_client::ws_client(unsigned short port, const std::string& path, client_options opts,
                     const header_list& headers)
    : p_(std::make_unique<impl>()) {
    p_->opts = opts;
    if (opts.tls) {
        p_->ssl_ctx.set_verify_mode(net::ssl::verify_none);
        p_->tls.emplace(p_->ioc, p_->ssl_ctx);
    } else {
        p_->plain.emplace(p_->ioc);
    }
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    if (auto ec = p_->run([&](auto done) { p_->lowest().async_connect(ep, done); }, opts.timeout))
        throw std::runtime_error("connect: " + ec.message());
    if (opts.tls)
        if (auto ec = p_->run(
                [&](auto done) {
                    p_->tls->next_layer().async_handshake(net::ssl::stream_base::client, done);
                },
                opts.timeout))
            throw std::runtime_error("TLS handshake: " + ec.message());
    websocket::response_type res;
    beast::error_code ec;
    p_->with([&](auto& ws) {
        ws.control_callback([p = p_.get()](websocket::frame_type kind, beast::string_view) {
            if (kind == websocket::frame_type::ping)
                ++p->pings;
        });
        ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
            for (const auto& [k, v] : headers)
                req.set(k, v);
        }));
        ec = p_->run(
            [&](auto done) {
                ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), path, done);
            },
            opts.timeout);
    });
    if (ec)
        throw std::runtime_error("websocket handshake: HTTP " + std::to_string(res.result_int()) +
                                 ": " + ec.message());
}

ws_client::~ws_client() = default;

void ws_client::send(const std::string& text) {
    beast::error_code ec;
    p_->with([&](auto& ws) {
        ws.text(true);
        ec = p_->run([&](auto done) { ws.async_write(net::buffer(text), done); }, p_->opts.timeout);
    });
    if (ec)
        throw std::runtime_error("websocket write: " + ec.message());
}

void ws_client::send_json(const boost::json::value& v) {
    send(boost::json::serialize(v));
}

std::optional<std::string> ws_client::read(std::chrono::milliseconds deadline) {
    p_->timed_out = false;
    beast::error_code ec;
    p_->with([&](auto& ws) {
        ec = p_->run([&](auto done) { ws.async_read(p_->buffer, done); }, deadline);
        if (ec == websocket::error::closed)
            p_->close_code = ws.reason().code;
    });
    if (ec)
        return std::nullopt;
    std::string out = beast::buffers_to_string(p_->buffer.data());
    p_->buffer.consume(p_->buffer.size());
    return out;
}

std::optional<boost::json::value> ws_client::read_json(std::chrono::milliseconds deadline) {
    auto t = read(deadline);
    if (!t)
        return std::nullopt;
    return boost::json::parse(*t);
}

int ws_client::close_code() const {
    return p_->close_code;
}
int ws_client::pings() const {
    return p_->pings;
}
bool ws_client::timed_out() const {
    return p_->timed_out;
}

void ws_client::close() {
    p_->with([&](auto& ws) {
        (void)p_->run([&](auto done) { ws.async_close(websocket::close_code::normal, done); },
                      p_->opts.timeout);
    });
}

} // namespace flotilla::testing
