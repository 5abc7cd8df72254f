#include "http/server.hpp"

#include "actors/memory.hpp"
#include "http/errors.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <spdlog/spdlog.h>
#include <thread>
#include <unordered_map>

namespace flotilla::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

/// What the server needs of a session, whatever its stream type.
struct session_base {
    virtual ~session_base() = default;
    /// Asks the session, on its own strand, to finish what is in flight and close.
    virtual void post_shutdown() = 0;
};

} // namespace

struct server::impl : std::enable_shared_from_this<server::impl> {
    impl(server_config c, dispatch_fn d, upgrade_fn u)
        : cfg(std::move(c)), dispatch(std::move(d)), upgrade(std::move(u)) {}
    /// Runs before the members are destroyed: sessions that the io_context destroys
    /// afterwards must not post to the (by then destroyed) strand.
    ~impl() { alive = false; }

    // Declared before the io_context so they outlive every session it destroys.
    std::mutex mu;
    std::unordered_map<std::uint64_t, std::weak_ptr<session_base>> sessions;
    std::uint64_t next_id = 0;
    std::atomic<bool> stopping{false};
    std::atomic<bool> alive{true};
    std::atomic<int> in_flight{0}; ///< requests begun and not yet answered

    server_config cfg;
    dispatch_fn dispatch;
    upgrade_fn upgrade;
    std::function<void()> on_shutdown;
    net::io_context ioc;
    net::strand<net::io_context::executor_type> strand{net::make_strand(ioc)};
    std::optional<net::ssl::context> ssl_ctx;
    tcp::acceptor acceptor{strand};
    net::signal_set signals{strand};
    net::steady_timer grace_timer{strand};
    unsigned short bound_port = 0;

    void accept();
    void begin_shutdown();
    void session_closed(std::uint64_t id);
    template <class Session> void start_session(tcp::socket socket);
    /// Registers a session for shutdown; returns its id.
    std::uint64_t add_session(std::weak_ptr<session_base> s) {
        std::lock_guard lock(mu);
        const auto id = next_id++;
        sessions.emplace(id, std::move(s));
        return id;
    }
};

namespace {

/// How much one read for the start of a request asks for.
constexpr std::size_t first_read_bytes = 16 * 1024;

template <class Stream> class ws_session;

template <class Stream> constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

template <class Stream>
class session final : public session_base, public std::enable_shared_from_this<session<Stream>> {
public:
    template <class... Args>
    session(server::impl& srv, std::uint64_t id, std::string remote, Args&&... args)
        : srv_(srv), id_(id), remote_(std::move(remote)), stream_(std::forward<Args>(args)...) {}

    ~session() override {
        set_in_flight(false);
        srv_.session_closed(id_);
    }

    void start() {
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

    void post_shutdown() override {
        net::post(lowest().get_executor(),
                  [self = this->shared_from_this()] { self->on_shutdown(); });
    }

private:
    void set_in_flight(bool v) {
        if (v != in_flight_)
            srv_.in_flight += v ? 1 : -1;
        in_flight_ = v;
    }

    void on_shutdown() {
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

    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    /// Waits for the first bytes of the next request by reading them through the
    /// stream (a TLS stream may already hold them: the socket would never become
    /// readable again), so an idle connection can be told apart from one with a
    /// request under way. The stream's expiry is the idle timeout.
    void wait_request() {
        if (closing_)
            return close();
        if (buffer_.size() > 0)
            return read_header();
        lowest().expires_after(idle_timeout);
        awaiting_request_ = true;
        stream_.async_read_some(
            buffer_.prepare(first_read_bytes),
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

    void read_header() {
        set_in_flight(true);
        started_ = std::chrono::steady_clock::now();
        parser_.emplace();
        parser_->body_limit(max_body_bytes);
        parser_->header_limit(max_header_bytes);
        lowest().expires_after(header_timeout);
        bhttp::async_read_header(
            stream_, buffer_, *parser_,
            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec)
                    return self->on_read_error(ec);
                self->read_body();
            });
    }

    void read_body() {
        lowest().expires_after(body_timeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec)
                                  return self->on_read_error(ec);
                              self->lowest().expires_never();
                              self->dispatch();
                          });
    }

    void on_read_error(beast::error_code ec) {
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
    void fail_request(const error& e) {
        closing_ = true;
        write(to_response(e));
    }

    void dispatch() {
        auto& msg = parser_->get();
        if (srv_.upgrade && websocket::is_upgrade(msg)) {
            // The stream now belongs to the WebSocket session; this one ends.
            set_in_flight(false);
            auto ws = std::make_shared<ws_session<Stream>>(srv_, std::move(stream_));
            ws->start(parser_->release(), remote_);
            return;
        }
        request req;
        req.method = std::string(msg.method_string());
        req.target = std::string(msg.target());
        req.body = std::move(msg.body());
        req.remote_address = remote_;
        for (const auto& f : msg) {
            std::string name(f.name_string());
            for (auto& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            req.headers.emplace_back(std::move(name), std::string(f.value()));
        }
        method_ = req.method;
        target_ = req.target;
        auto once = std::make_shared<reply_once>(this->shared_from_this());
        srv_.dispatch(std::move(req), [once](response r) { once->answer(std::move(r)); });
    }

    /// The one answer to a request, however many copies of its responder exist:
    /// the first response wins, and a request whose every responder is gone
    /// unanswered (an exception, a dropped job) gets a 500 (503 while stopping),
    /// so no client waits for an answer that will never come.
    struct reply_once {
        explicit reply_once(std::shared_ptr<session> s) : s_(std::move(s)) {}
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
        std::shared_ptr<session> s_;
        std::atomic<bool> done_{false};
    };

    /// A Beast response with `r`'s status and headers, in the request's HTTP version.
    template <class Body> auto head_for(const response& r) {
        auto res = std::make_shared<bhttp::response<Body>>();
        res->version(parser_ && parser_->is_header_done() ? parser_->get().version() : 11);
        res->result(static_cast<unsigned>(r.status));
        res->set(bhttp::field::content_type, r.content_type);
        for (const auto& [k, v] : r.headers)
            res->set(k, v);
        return res;
    }

    void write(response r) {
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
    class chunk_stream final : public body_stream,
                               public std::enable_shared_from_this<chunk_stream> {
    public:
        explicit chunk_stream(std::shared_ptr<session> s) : s_(std::move(s)) {}

        void write(std::string chunk) override {
            if (!open_ || chunk.empty())
                return;
            net::post(s_->lowest().get_executor(),
                      [self = this->shared_from_this(), c = std::move(chunk)]() mutable {
                          if (self->dead_ || self->ending_)
                              return;
                          if (!self->s_->srv_.cfg.max_queued.admits(
                                  self->queue_.size(), self->queued_bytes_, c.size())) {
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
            s_->stream_.async_read_some(s_->buffer_.prepare(1024),
                                        [self = this->shared_from_this()](
                                            beast::error_code, std::size_t) { self->gone(); });
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
                net::async_write(
                    s_->stream_, bhttp::make_chunk(net::buffer(*chunk)),
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

        std::shared_ptr<session> s_;
        std::shared_ptr<bhttp::response<bhttp::empty_body>> head_;
        std::optional<bhttp::response_serializer<bhttp::empty_body>> serializer_;
        std::deque<std::string> queue_;
        std::size_t queued_bytes_ = 0;
        std::atomic<bool> open_{true};
        bool writing_ = false, ending_ = false, finished_ = false, dead_ = false;
    };

    void start_stream(response r) {
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
    void close() {
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
    void abort() {
        beast::error_code ec;
        lowest().socket().close(ec);
    }

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

/// Builds the plain request the layers above see.
template <class Body>
request to_request(const bhttp::request<Body>& msg, const std::string& remote) {
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

/// An accepted (or refused) WebSocket upgrade; owns the stream from then on.
template <class Stream>
class ws_session final : public session_base,
                         public ws_connection,
                         public std::enable_shared_from_this<ws_session<Stream>> {
public:
    ws_session(server::impl& srv, Stream&& stream) : srv_(srv), ws_(std::move(stream)) {}
    ~ws_session() override {
        // The owner hears of it however the session ends (but not while the
        // io_context is being destroyed: the actors are gone by then).
        if (srv_.alive)
            closed();
        if (id_)
            srv_.session_closed(*id_);
    }

    void start(bhttp::request<bhttp::string_body> upgrade, const std::string& remote) {
        id_ = srv_.add_session(this->weak_from_this());
        upgrade_decision decision = response{};
        try {
            decision = srv_.upgrade(to_request(upgrade, remote), this->shared_from_this());
        } catch (const std::exception& e) {
            spdlog::error("GET {} upgrade failed: {}", std::string(upgrade.target()), e.what());
            decision = to_response(error::backend(std::string("internal error: ") + e.what()));
        }
        if (auto* refusal = std::get_if<response>(&decision))
            return refuse(std::move(*refusal), upgrade.version());
        handler_ = std::move(std::get<ws_handler>(decision));
        beast::get_lowest_layer(ws_).expires_never();
        websocket::stream_base::timeout opt{tls_handshake_timeout, srv_.cfg.ping_interval * 2,
                                            true};
        ws_.set_option(opt);
        ws_.read_message_max(max_ws_message_bytes);
        ws_.async_accept(upgrade, [self = this->shared_from_this()](beast::error_code ec) {
            if (ec)
                return self->abort();
            self->accepted_ = true;
            if (!self->writing_)
                self->write_next(); // what was queued during the handshake
            self->read();
        });
    }

    void send(std::vector<std::string> frames) override {
        net::post(ws_.get_executor(), [self = this->shared_from_this(),
                                       f = std::move(frames)]() mutable {
            if (self->closing_ || self->done_ || f.empty())
                return;
            std::size_t bytes = 0;
            for (const auto& x : f)
                bytes += x.size();
            if (!self->srv_.cfg.max_queued.admits(self->queue_.size(), self->queued_bytes_, bytes))
                return self->too_slow();
            self->queued_bytes_ += bytes;
            self->queue_.push_back(std::move(f));
            if (!self->writing_ && self->accepted_)
                self->write_next();
        });
    }

    void set_overflow_frame(std::string frame) override {
        net::post(ws_.get_executor(), [self = this->shared_from_this(), f = std::move(frame)]() {
            self->overflow_frame_ = f;
        });
    }

    void close() override {
        net::post(ws_.get_executor(), [self = this->shared_from_this()] {
            self->closing_ = true;
            if (!self->accepted_)
                return self->abort(); // still handshaking: nothing to finish
            if (!self->writing_)
                self->close_now();
        });
    }

    void post_shutdown() override { close(); }

private:
    void refuse(response r, unsigned version) {
        auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
        res->version(version);
        res->result(static_cast<unsigned>(r.status));
        res->set(bhttp::field::content_type, r.content_type);
        res->body() = std::move(r.body);
        res->keep_alive(false);
        res->prepare_payload();
        bhttp::async_write(ws_.next_layer(), *res,
                           [self = this->shared_from_this(), res](beast::error_code, std::size_t) {
                               beast::error_code ec;
                               beast::get_lowest_layer(self->ws_).socket().shutdown(
                                   tcp::socket::shutdown_send, ec);
                               self->done_ = true;
                           });
    }

    void read() {
        ws_.async_read(buffer_,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                           // A protocol error, the client's close or its going away:
                           // whatever Beast did about it, the socket is closed now,
                           // so no descriptor outlives its client.
                           if (ec)
                               return self->abort();
                           std::string text = beast::buffers_to_string(self->buffer_.data());
                           self->buffer_.consume(self->buffer_.size());
                           if (self->handler_.on_text)
                               self->handler_.on_text(std::move(text));
                           self->read();
                       });
    }

    /// The client does not keep up: its queue goes, it gets the overflow frame
    /// and a 1008 close, and the socket is closed if that does not finish in time.
    void too_slow() {
        spdlog::warn("websocket subscriber too slow ({} batches, {} bytes queued): disconnecting",
                     queue_.size(), queued_bytes_);
        drop_queue();
        if (!overflow_frame_.empty()) {
            queue_.push_back({std::move(overflow_frame_)});
            queued_bytes_ = queue_.back().front().size();
        }
        close_code_ = websocket::close_reason(websocket::close_code::policy_error,
                                              "subscriber too slow: its queue is full");
        closing_ = true;
        if (handler_.on_closed) { // the owner stops sending now
            handler_.on_closed();
            handler_.on_closed = nullptr;
        }
        kill_timer_.expires_after(ws_close_timeout);
        kill_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->abort();
        });
        if (accepted_ && !writing_)
            write_next();
    }

    void drop_queue() {
        std::deque<std::vector<std::string>>().swap(queue_);
        actors::memory_released(queued_bytes_);
        queued_bytes_ = 0;
        front_pos_ = 0;
    }

    void write_next() {
        if (queue_.empty()) {
            writing_ = false;
            if (closing_)
                close_now();
            return;
        }
        writing_ = true;
        // The frame in flight lives outside the queue, which an abort may clear.
        auto& batch = queue_.front();
        current_ = std::move(batch[front_pos_++]);
        queued_bytes_ -= std::min(queued_bytes_, current_.size());
        if (front_pos_ == batch.size()) {
            queue_.pop_front();
            front_pos_ = 0;
        }
        ws_.text(true);
        ws_.async_write(net::buffer(current_),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec)
                                return self->abort();
                            self->write_next();
                        });
    }

    void close_now() {
        if (done_ || close_started_) // one close handshake, however many asked for it
            return;
        close_started_ = true;
        // A client that never answers the close (or a Beast operation that never
        // completes after a protocol error) cannot hold the socket: past the
        // timeout it is closed whatever is pending.
        kill_timer_.expires_after(ws_close_timeout);
        kill_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->abort();
        });
        ws_.async_close(close_code_,
                        [self = this->shared_from_this()](beast::error_code) { self->abort(); });
    }

    void abort() {
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
        kill_timer_.cancel();
        closed();
        // Gone for the server's shutdown now, even if an operation still holds
        // this object for a while.
        if (id_)
            srv_.session_closed(*std::exchange(id_, std::nullopt));
    }

    /// Tells the owner once that the connection is gone.
    void closed() {
        if (done_)
            return;
        done_ = true;
        drop_queue();
        if (handler_.on_closed)
            handler_.on_closed();
        handler_ = {};
    }

    server::impl& srv_;
    websocket::stream<Stream> ws_;
    beast::flat_buffer buffer_;
    std::optional<std::uint64_t> id_;
    ws_handler handler_;
    std::deque<std::vector<std::string>> queue_; ///< batches, as sent
    std::size_t queued_bytes_ = 0;               ///< in queue_, not yet written
    std::size_t front_pos_ = 0;                  ///< frames of the front batch written
    std::string current_;                        ///< the frame being written
    std::string overflow_frame_;
    websocket::close_reason close_code_{websocket::close_code::normal};
    net::steady_timer kill_timer_{ws_.get_executor()};
    bool accepted_ = false, writing_ = false, closing_ = false, close_started_ = false,
         done_ = false;
};

using plain_session = session<beast::tcp_stream>;
using tls_session = session<beast::ssl_stream<beast::tcp_stream>>;

} // namespace

template <class Session> void server::impl::start_session(tcp::socket socket) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto ep = socket.remote_endpoint(ec);
    std::string remote = ec ? std::string() : ep.address().to_string();
    std::shared_ptr<Session> s;
    std::lock_guard lock(mu);
    const auto id = next_id++;
    if constexpr (std::is_same_v<Session, tls_session>)
        s = std::make_shared<Session>(*this, id, std::move(remote), std::move(socket), *ssl_ctx);
    else
        s = std::make_shared<Session>(*this, id, std::move(remote), std::move(socket));
    sessions.emplace(id, s);
    s->start();
}

void server::impl::accept() {
    acceptor.async_accept(net::make_strand(ioc),
                          [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                              if (self->stopping || !self->acceptor.is_open())
                                  return;
                              if (ec) {
                                  spdlog::warn("accept failed: {}", ec.message());
                                  return self->accept();
                              }
                              if (self->ssl_ctx)
                                  self->start_session<tls_session>(std::move(socket));
                              else
                                  self->start_session<plain_session>(std::move(socket));
                              self->accept();
                          });
}

void server::impl::begin_shutdown() {
    if (stopping.exchange(true))
        return;
    spdlog::info("shutting down: no new connections, finishing requests in flight");
    if (on_shutdown)
        on_shutdown();
    beast::error_code ec;
    acceptor.close(ec);
    // Removing the signals restores their default action: a second SIGINT or
    // SIGTERM ends the process at once.
    signals.cancel(ec);
    signals.clear(ec);
    std::vector<std::shared_ptr<session_base>> live;
    {
        std::lock_guard lock(mu);
        for (auto& [id, weak] : sessions)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    if (live.empty())
        return ioc.stop();
    grace_timer.expires_after(shutdown_grace);
    grace_timer.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e) {
            spdlog::warn("shutdown grace period over; closing remaining connections");
            self->ioc.stop();
        }
    });
    for (auto& s : live)
        s->post_shutdown();
}

void server::impl::session_closed(std::uint64_t id) {
    std::lock_guard lock(mu);
    sessions.erase(id);
    // The last connection is gone: serving ends now, even if some operation of
    // a closed connection is still pending (it is destroyed with the io_context).
    if (stopping && alive && sessions.empty())
        net::post(strand, [self = shared_from_this()] {
            self->grace_timer.cancel();
            self->ioc.stop();
        });
}

server::server(server_config cfg, dispatch_fn dispatch, upgrade_fn upgrade)
    : impl_(std::make_shared<impl>(std::move(cfg), std::move(dispatch), std::move(upgrade))) {}

server::~server() = default;

expected<void> server::listen() {
    auto& s = *impl_;
    try {
        if (s.cfg.tls) {
            s.ssl_ctx.emplace(net::ssl::context::tls_server);
            s.ssl_ctx->set_options(net::ssl::context::default_workarounds |
                                   net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                                   net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
            s.ssl_ctx->use_certificate_chain_file(s.cfg.cert_file);
            s.ssl_ctx->use_private_key_file(s.cfg.key_file, net::ssl::context::pem);
        }
    } catch (const boost::system::system_error& e) {
        return error::backend("cannot load TLS certificate '" + s.cfg.cert_file + "' or key '" +
                              s.cfg.key_file + "': " + e.code().message());
    }
    beast::error_code ec;
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(s.cfg.host, std::to_string(s.cfg.port), ec);
    if (ec || results.empty())
        return error::backend("cannot resolve '" + s.cfg.host + "': " + ec.message());
    auto ep = results.begin()->endpoint();
    s.acceptor.open(ep.protocol(), ec);
    if (!ec)
        s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
        s.acceptor.bind(ep, ec);
    if (!ec)
        s.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return error::backend("cannot listen on " + s.cfg.host + ":" + std::to_string(s.cfg.port) +
                              ": " + ec.message());
    s.bound_port = s.acceptor.local_endpoint().port();
    net::post(s.strand, [self = impl_] { self->accept(); });
    return {};
}

void server::on_shutdown(std::function<void()> fn) {
    impl_->on_shutdown = std::move(fn);
}

unsigned short server::port() const {
    return impl_->bound_port;
}

int server::requests_in_flight() const {
    return impl_->in_flight;
}

void server::handle_signals() {
    auto& s = *impl_;
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.async_wait([self = impl_](beast::error_code ec, int sig) {
        if (ec)
            return;
        spdlog::info("received signal {}: shutting down (a second signal exits at once)", sig);
        // Whatever is still open, the process ends within the grace period plus
        // a few seconds: a watchdog ends it if the orderly teardown has not.
        std::thread([] {
            std::this_thread::sleep_for(shutdown_grace + shutdown_watchdog_margin);
            spdlog::error("shutdown did not finish within {} s; exiting now",
                          (shutdown_grace + shutdown_watchdog_margin).count());
            spdlog::shutdown();
            std::_Exit(0);
        }).detach();
        self->begin_shutdown();
    });
}

namespace {

/// Runs the io_context until it stops. An exception escaping a completion handler
/// unwinds out of run(): it is logged and the thread goes back to serving (the
/// connection whose handler threw loses its pending operation and closes when its
/// last handle goes); it never ends the process.
void serve_guarded(net::io_context& ioc) {
    for (;;) {
        try {
            ioc.run();
            return;
        } catch (const std::exception& e) {
            spdlog::error("transport: a completion handler threw ({}); serving on", e.what());
        } catch (...) {
            spdlog::error("transport: a completion handler threw; serving on");
        }
    }
}

} // namespace

void server::run() {
    auto& s = *impl_;
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < std::max(1u, s.cfg.io_threads); ++i)
        threads.emplace_back([&s] { serve_guarded(s.ioc); });
    serve_guarded(s.ioc);
    for (auto& t : threads)
        t.join();
}

void server::shutdown() {
    net::post(impl_->strand, [self = impl_] { self->begin_shutdown(); });
}

} // namespace flotilla::http
