#include "http/transport/http_session.hpp"

#include "http/errors.hpp"
#include "http/transport/ws_session.hpp"

#include <atomic>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cctype>
#include <deque>
#include <spdlog/spdlog.h>

namespace flotilla::http::transport {

namespace {

/// How much one read for the start of a request asks for.
constexpr std::size_t first_read_bytes = 16 * 1024;

} // namespace

request to_request(const bhttp::request<bhttp::string_body>& msg, const std::string& remote) {
    request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.remote_address = remote;
    for (const auto& f : msg) {
        std::string name(f.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    return req;
}

template <class Stream> http_session<Stream>::~http_session() {
    set_in_flight(false);
    srv_.session_closed(id_);
}

template <class Stream> void http_session<Stream>::start() {
    if constexpr (is_tls<Stream>) {
        lowest().expires_after(tls_handshake_timeout);
        stream_.async_handshake(net::ssl::stream_base::server,
                                [self = this->shared_from_this()](beast::error_code ec) {
                                    if (ec)
                                        return self->abort();
                                    self->lowest().expires_never();
                                    self->wait_request();
                                });
    } else {
        wait_request();
    }
}

template <class Stream> void http_session<Stream>::post_shutdown() {
    net::post(lowest().get_executor(), [self = this->shared_from_this()] { self->on_shutdown(); });
}

template <class Stream> void http_session<Stream>::set_in_flight(bool v) {
    if (v != in_flight_)
        srv_.in_flight += v ? 1 : -1;
    in_flight_ = v;
}

template <class Stream> void http_session<Stream>::on_shutdown() {
    closing_ = true;
    if (auto st = streaming_.lock())
        return st->gone();
    if (awaiting_request_) {
        // Between requests: bytes of the next one may have arrived already.
        // Cancelling the wait tells them apart: a read that got bytes
        // completes with them (that request is finished, then the
        // connection closes), one that got nothing ends the connection.
        beast::error_code ignored;
        lowest().socket().cancel(ignored);
        return;
    }
    if (!in_flight_)
        abort(); // idle or handshaking: nothing to finish
}

/// Waits for the first bytes of the next request by reading them through the
/// stream (a TLS stream may already hold them: the socket would never become
/// readable again), so an idle connection can be told apart from one with a
/// request under way. The stream's expiry is the idle timeout.
template <class Stream> void http_session<Stream>::wait_request() {
    if (closing_)
        return close();
    if (buffer_.size() > 0)
        return read_header();
    lowest().expires_after(idle_timeout);
    awaiting_request_ = true;
    stream_.async_read_some(buffer_.prepare(first_read_bytes),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->awaiting_request_ = false;
                                if (ec == net::error::operation_aborted && self->closing_) {
                                    // Cancelled by the shutdown: bytes still unread are a request.
                                    beast::error_code e;
                                    if (self->lowest().socket().available(e) > 0 && !e)
                                        return self->read_header();
                                }
                                if (ec || n == 0)
                                    return self->abort();
                                self->buffer_.commit(n);
                                self->read_header();
                            });
}

template <class Stream> void http_session<Stream>::read_header() {
    set_in_flight(true);
    started_ = std::chrono::steady_clock::now();
    parser_.emplace();
    parser_->body_limit(max_body_bytes);
    parser_->header_limit(max_header_bytes);
    lowest().expires_after(header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                 if (ec)
                                     return self->on_read_error(ec);
                                 self->read_body();
                             });
}

template <class Stream> void http_session<Stream>::read_body() {
    lowest().expires_after(body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec)
                              return self->on_read_error(ec);
                          self->lowest().expires_never();
                          self->dispatch();
                      });
}

template <class Stream> void http_session<Stream>::on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
        return fail_request(
            error{errc::payload_too_large,
                  "request body exceeds " + std::to_string(max_body_bytes) + " bytes",
                  {}});
    if (ec == bhttp::error::header_limit) {
        auto r = to_response(error::bad_request("request header too large"));
        r.status = 431;
        closing_ = true;
        return write(std::move(r));
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
        return fail_request(error::bad_request("malformed HTTP request: " + ec.message()));
    abort();
}

/// Answers a request that could not be read, then closes.
template <class Stream> void http_session<Stream>::fail_request(const error& e) {
    closing_ = true;
    write(to_response(e));
}

/// The one answer to a request, however many copies of its responder exist:
/// the first response wins, and a request whose every responder is gone
/// unanswered (an exception, a dropped job) gets a 500 (503 while stopping),
/// so no client waits for an answer that will never come.
template <class Stream> struct http_session<Stream>::reply_once {
    explicit reply_once(std::shared_ptr<http_session> s) : s_(std::move(s)) {}
    reply_once(const reply_once&) = delete;
    reply_once& operator=(const reply_once&) = delete;
    ~reply_once() {
        if (!done_)
            answer(to_response(
                s_->srv_.stopping
                    ? error::unavailable("the server is shutting down")
                    : error::backend("internal error: the request was dropped unanswered")));
    }
    void answer(response r) {
        if (done_.exchange(true) || !s_->srv_.alive)
            return;
        net::post(s_->lowest().get_executor(),
                  [s = s_, r = std::move(r)]() mutable { s->write(std::move(r)); });
    }

private:
    std::shared_ptr<http_session> s_;
    std::atomic<bool> done_{false};
};

template <class Stream> void http_session<Stream>::dispatch() {
    auto& msg = parser_->get();
    if (srv_.upgrade && beast::websocket::is_upgrade(msg)) {
        // The stream now belongs to the WebSocket session; this one ends.
        set_in_flight(false);
        auto ws = std::make_shared<ws_session<Stream>>(srv_, std::move(stream_));
        ws->start(parser_->release(), remote_);
        return;
    }
    request req = to_request(msg, remote_);
    req.body = std::move(msg.body());
    method_ = req.method;
    target_ = req.target;
    auto once = std::make_shared<reply_once>(this->shared_from_this());
    srv_.dispatch(std::move(req), [once](response r) { once->answer(std::move(r)); });
}

/// A Beast response with `r`'s status and headers, in the request's HTTP version.
template <class Stream>
template <class Body>
auto http_session<Stream>::head_for(const response& r) {
    auto res = std::make_shared<bhttp::response<Body>>();
    res->version(parser_ && parser_->is_header_done() ? parser_->get().version() : 11);
    res->result(static_cast<unsigned>(r.status));
    res->set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers)
        res->set(k, v);
    return res;
}

template <class Stream> void http_session<Stream>::write(response r) {
    if (r.stream)
        return start_stream(std::move(r));
    const bool keep = parser_ && parser_->is_header_done() && parser_->get().keep_alive() &&
                      !closing_ && !srv_.stopping;
    auto res = head_for<bhttp::string_body>(r);
    res->body() = std::move(r.body);
    res->keep_alive(keep);
    res->prepare_payload();
    if (r.status >= 500) // logged once here, with the route, whatever raised it
        spdlog::error("{} {} answered {}: {}", method_, target_, r.status,
                      std::string_view(r.body).substr(0, 512));
    else if (spdlog::should_log(spdlog::level::debug)) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
        spdlog::debug("{} {} {} {}us {}", method_, target_, r.status, us, remote_);
    }
    lowest().expires_after(write_timeout);
    bhttp::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
            self->set_in_flight(false);
            self->lowest().expires_never();
            if (ec)
                return self->abort();
            if (!keep)
                return self->close();
            self->wait_request();
        });
}

/// A chunked body written as the layer above hands it chunks. The connection
/// closes when the body ends. Meanwhile a read waits on the socket: the client
/// sends nothing on it, so its completing means the client has gone.
template <class Stream>
class http_session<Stream>::chunk_stream final
    : public body_stream,
      public std::enable_shared_from_this<http_session<Stream>::chunk_stream> {
public:
    explicit chunk_stream(std::shared_ptr<http_session> s) : s_(std::move(s)) {}

    void write(std::string chunk) override {
        if (!open_ || chunk.empty())
            return;
        net::post(s_->lowest().get_executor(),
                  [self = this->shared_from_this(), c = std::move(chunk)]() mutable {
                      if (self->dead_ || self->ending_)
                          return;
                      if (!self->s_->srv_.cfg.max_queued.admits(self->queue_.size(),
                                                                self->queued_bytes_, c.size())) {
                          spdlog::warn("streaming client too slow ({} chunks, {} bytes "
                                       "queued): disconnecting",
                                       self->queue_.size(), self->queued_bytes_);
                          return self->gone();
                      }
                      self->queued_bytes_ += c.size();
                      self->queue_.push_back(std::move(c));
                      self->pump();
                  });
    }

    void end() override {
        if (!open_.exchange(false))
            return;
        net::post(s_->lowest().get_executor(), [self = this->shared_from_this()] {
            self->ending_ = true;
            self->pump();
        });
    }

    bool open() const override { return open_; }

    /// Starts with the headers and `first` as the first chunk (on the strand).
    void start(std::shared_ptr<bhttp::response<bhttp::empty_body>> head, std::string first) {
        head_ = std::move(head);
        serializer_.emplace(*head_);
        if (!first.empty()) {
            queued_bytes_ += first.size(); // popped (and subtracted) like any chunk
            queue_.push_back(std::move(first));
        }
        writing_ = true;
        bhttp::async_write_header(
            s_->stream_, *serializer_,
            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                self->writing_ = false;
                if (ec)
                    return self->gone();
                self->pump();
            });
        s_->stream_.async_read_some(
            s_->buffer_.prepare(1024),
            [self = this->shared_from_this()](beast::error_code, std::size_t) { self->gone(); });
    }

    /// The client has gone (or is too slow, or the server is stopping).
    void gone() {
        open_ = false;
        dead_ = true;
        std::deque<std::string>().swap(queue_);
        queued_bytes_ = 0;
        s_->abort();
    }

private:
    void pump() {
        if (writing_ || finished_ || dead_)
            return;
        writing_ = true;
        auto done = [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec)
                return self->gone();
            self->pump();
        };
        if (!queue_.empty()) {
            auto chunk = std::make_shared<std::string>(std::move(queue_.front()));
            queue_.pop_front();
            queued_bytes_ -= chunk->size();
            net::async_write(s_->stream_, bhttp::make_chunk(net::buffer(*chunk)),
                             [chunk, done](beast::error_code ec, std::size_t n) { done(ec, n); });
        } else if (ending_) {
            finished_ = true;
            net::async_write(s_->stream_, bhttp::make_chunk_last(),
                             [self = this->shared_from_this()](beast::error_code, std::size_t) {
                                 self->writing_ = false;
                                 self->s_->close();
                             });
        } else {
            writing_ = false;
        }
    }

    std::shared_ptr<http_session> s_;
    std::shared_ptr<bhttp::response<bhttp::empty_body>> head_;
    std::optional<bhttp::response_serializer<bhttp::empty_body>> serializer_;
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    std::atomic<bool> open_{true};
    bool writing_ = false, ending_ = false, finished_ = false, dead_ = false;
};

template <class Stream> void http_session<Stream>::start_stream(response r) {
    auto head = head_for<bhttp::empty_body>(r);
    head->keep_alive(false);
    head->chunked(true);
    // Long-lived: not "in flight" for a graceful shutdown, which ends it at once.
    set_in_flight(false);
    closing_ = true;
    auto st = std::make_shared<chunk_stream>(this->shared_from_this());
    streaming_ = st;
    st->start(std::move(head), std::move(r.body));
    r.stream(st);
}

/// Orderly close: TLS close_notify where there is TLS, then the socket.
template <class Stream> void http_session<Stream>::close() {
    if constexpr (is_tls<Stream>) {
        lowest().expires_after(std::chrono::seconds(5));
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { self->abort(); });
    } else {
        beast::error_code ec;
        lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
        abort();
    }
}

/// Immediate close: cancels whatever is pending.
template <class Stream> void http_session<Stream>::abort() {
    beast::error_code ec;
    lowest().socket().close(ec);
}

template class http_session<plain_stream>;
template class http_session<tls_stream>;

} // namespace flotilla::http::transport
