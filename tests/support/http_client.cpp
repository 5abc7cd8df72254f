#include "tests/support/http_client.hpp"

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <optional>
#include <stdexcept>

namespace flotilla::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

std::string http_reply::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k == name)
            return v;
    return {};
}

boost::json::value http_reply::json() const {
    return boost::json::parse(body);
}

struct http_client::impl {
    net::io_context ioc;
    net::ssl::context ssl_ctx{net::ssl::context::tls_client};
    client_options opts;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    /// Starts an asynchronous operation and runs it to completion or the deadline.
    template <class Start> beast::error_code run_ec(Start&& start) {
        beast::error_code result = net::error::would_block;
        lowest().expires_after(opts.timeout);
        start([&](beast::error_code ec, auto&&...) { result = ec; });
        ioc.restart();
        ioc.run();
        return result;
    }

    /// run_ec, throwing on any error.
    template <class Start> void run(const char* what, Start&& start) {
        if (auto ec = run_ec(std::forward<Start>(start)))
            throw std::runtime_error(std::string(what) + ": " + ec.message());
    }

    template <class F> void with_stream(F&& f) {
        if (tls)
            f(*tls);
        else
            f(*plain);
    }
};

http_client::http_client(unsigned short port, client_options opts) : p_(std::make_unique<impl>()) {
    p_->opts = opts;
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    if (opts.tls && opts.ca_file.empty()) {
        p_->ssl_ctx.set_verify_mode(net::ssl::verify_none);
        p_->tls.emplace(p_->ioc, p_->ssl_ctx);
    } else if (opts.tls) {
        p_->ssl_ctx.load_verify_file(opts.ca_file);
        p_->ssl_ctx.set_verify_mode(net::ssl::verify_peer);
        p_->ssl_ctx.set_verify_callback(net::ssl::host_name_verification(opts.verify_name));
        p_->tls.emplace(p_->ioc, p_->ssl_ctx);
        SSL_set_tlsext_host_name(p_->tls->native_handle(), opts.verify_name.c_str());
    } else {
        p_->plain.emplace(p_->ioc);
    }
    p_->run("connect", [&](auto done) { p_->lowest().async_connect(ep, done); });
    p_->lowest().socket().set_option(tcp::no_delay(true));
    if (opts.tls)
        p_->run("TLS handshake",
                [&](auto done) { p_->tls->async_handshake(net::ssl::stream_base::client, done); });
}

http_client::~http_client() = default;

void http_client::send_raw(std::string_view bytes) {
    p_->with_stream([&](auto& s) {
        p_->run("write", [&](auto done) { net::async_write(s, net::buffer(bytes), done); });
    });
}

http_reply http_client::read_reply() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    p_->with_stream([&](auto& s) {
        p_->run("read", [&](auto done) { bhttp::async_read(s, p_->buffer, parser, done); });
    });
    auto& res = parser.get();
    http_reply out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.keep_alive = res.keep_alive();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    return out;
}

http_reply http_client::request(const std::string& method, const std::string& target,
                                const std::string& body, const header_list& headers) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers)
        req.set(k, v);
    if (!body.empty() && req[bhttp::field::content_type].empty())
        req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    p_->with_stream(
        [&](auto& s) { p_->run("write", [&](auto done) { bhttp::async_write(s, req, done); }); });
    return read_reply();
}

http_reply http_client::authed(const std::string& method, const std::string& target,
                               const std::string& token, const std::string& body) {
    return request(method, target, body, {{"Authorization", "Bearer " + token}});
}

bool http_client::closed_by_server() {
    char byte;
    beast::error_code ec;
    p_->with_stream([&](auto& s) {
        ec = p_->run_ec([&](auto done) { s.async_read_some(net::buffer(&byte, 1), done); });
    });
    // A byte or a timeout: still open. End of stream, a reset or a TLS close: closed.
    return ec && ec != beast::error::timeout;
}

std::string http_client::peer_certificate_sha256() const {
    if (!p_->tls)
        return {};
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        SSL_get1_peer_certificate(p_->tls->native_handle()), &X509_free);
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (!cert || X509_digest(cert.get(), EVP_sha256(), md.data(), &len) != 1)
        return {};
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        if (i > 0)
            out += ':';
        out += digits[md[i] >> 4];
        out += digits[md[i] & 0xF];
    }
    return out;
}

http_reply http_once(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body, const header_list& headers, client_options opts) {
    http_client c(port, opts);
    return c.request(method, target, body, headers);
}

} // namespace flotilla::testing
