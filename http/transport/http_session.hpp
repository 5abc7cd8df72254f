#pragma once
/// An HTTP connection: reads requests one at a time (keep-alive, pipelining),
/// hands each to the server's dispatch with a responder that posts the answer
/// back onto the connection's strand, writes responses in order, streams a
/// chunked body when the answer is a stream, and hands the stream to a
/// WebSocket session on an upgrade. Defined in http_session.cpp, explicitly
/// instantiated there for plain_stream and tls_stream.

#include "http/transport/transport.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace flotilla::http::transport {

template <class Stream>
class http_session final : public session_base,
                           public std::enable_shared_from_this<http_session<Stream>> {
public:
    /// `args` construct the stream (a socket, and for TLS the SSL context).
    template <class... Args>
    http_session(server::impl& srv, std::uint64_t id, std::string remote, Args&&... args)
        : srv_(srv), id_(id), remote_(std::move(remote)), stream_(std::forward<Args>(args)...) {}
    ~http_session() override;

    /// The TLS handshake where there is TLS, then the first request.
    void start();
    void post_shutdown() override;

private:
    struct reply_once;
    class chunk_stream;

    void set_in_flight(bool v);
    void on_shutdown();
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
    void wait_request();
    void read_header();
    void read_body();
    void on_read_error(beast::error_code ec);
    void fail_request(const error& e);
    void dispatch();
    template <class Body> auto head_for(const response& r);
    void write(response r);
    void start_stream(response r);
    void close();
    void abort();

    server::impl& srv_;
    std::uint64_t id_;
    std::string remote_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    bool in_flight_ = false;
    bool awaiting_request_ = false; ///< waiting for the first bytes of a request
    bool closing_ = false;
    std::string method_, target_;
    std::chrono::steady_clock::time_point started_;
    std::weak_ptr<chunk_stream> streaming_; ///< while a body is being streamed
};

extern template class http_session<plain_stream>;
extern template class http_session<tls_stream>;

} // namespace flotilla::http::transport
