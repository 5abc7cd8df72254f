#include "http/transport/ws_session.hpp"

#include "actors/memory.hpp"
#include "http/errors.hpp"

#include <spdlog/spdlog.h>

namespace flotilla::http::transport {

namespace websocket = beast::websocket;

template <class Stream>
ws_session<Stream>::ws_session(server::impl& srv, Stream&& stream)
    : srv_(srv), ws_(std::move(stream)), kill_timer_(ws_.get_executor()) {}

template <class Stream> ws_session<Stream>::~ws_session() {
    // The owner hears of it however the session ends (but not while the
    // io_context is being destroyed: the actors are gone by then).
    if (srv_.alive)
        closed();
    if (id_)
        srv_.session_closed(*id_);
}

template <class Stream>
void ws_session<Stream>::start(bhttp::request<bhttp::string_body> upgrade,
                               const std::string& remote) {
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
    websocket::stream_base::timeout opt{tls_handshake_timeout, srv_.cfg.ping_interval * 2, true};
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

template <class Stream>
void ws_session<Stream>::send(std::shared_ptr<const std::vector<std::string>> frames) {
    net::post(
        ws_.get_executor(), [self = this->shared_from_this(), f = std::move(frames)]() mutable {
            if (self->closing_ || self->done_ || !f || f->empty())
                return;
            std::size_t bytes = 0;
            for (const auto& x : *f)
                bytes += x.size();
            if (!self->srv_.cfg.max_queued.admits(self->queue_.size(), self->queued_bytes_, bytes))
                return self->too_slow();
            self->queued_bytes_ += bytes;
            self->queue_.push_back(std::move(f));
            if (!self->writing_ && self->accepted_)
                self->write_next();
        });
}

template <class Stream> void ws_session<Stream>::set_overflow_frame(std::string frame) {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), f = std::move(frame)]() {
        self->overflow_frame_ = f;
    });
}

template <class Stream> void ws_session<Stream>::close() {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
        self->closing_ = true;
        if (!self->accepted_)
            return self->abort(); // still handshaking: nothing to finish
        if (!self->writing_)
            self->close_now();
    });
}

template <class Stream> void ws_session<Stream>::refuse(response r, unsigned version) {
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

template <class Stream> void ws_session<Stream>::read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        // A protocol error, the client's close or its going away: whatever
        // Beast did about it, the socket is closed now, so no descriptor
        // outlives its client.
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
template <class Stream> void ws_session<Stream>::too_slow() {
    spdlog::warn("websocket subscriber too slow ({} batches, {} bytes queued): disconnecting",
                 queue_.size(), queued_bytes_);
    drop_queue();
    if (!overflow_frame_.empty()) {
        queued_bytes_ = overflow_frame_.size();
        queue_.push_back(
            std::make_shared<const std::vector<std::string>>(1, std::move(overflow_frame_)));
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

template <class Stream> void ws_session<Stream>::drop_queue() {
    std::deque<batch>().swap(queue_);
    actors::memory_released(queued_bytes_);
    queued_bytes_ = 0;
    front_pos_ = 0;
}

template <class Stream> void ws_session<Stream>::write_next() {
    if (queue_.empty()) {
        writing_ = false;
        if (closing_)
            close_now();
        return;
    }
    writing_ = true;
    // The frame in flight is held outside the queue, which an abort may clear.
    current_ = queue_.front();
    current_pos_ = front_pos_++;
    const std::string& frame = (*current_)[current_pos_];
    queued_bytes_ -= std::min(queued_bytes_, frame.size());
    if (front_pos_ == current_->size()) {
        queue_.pop_front();
        front_pos_ = 0;
    }
    ws_.text(true);
    ws_.async_write(net::buffer(frame),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec)
                            return self->abort();
                        self->write_next();
                    });
}

template <class Stream> void ws_session<Stream>::close_now() {
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

template <class Stream> void ws_session<Stream>::abort() {
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
template <class Stream> void ws_session<Stream>::closed() {
    if (done_)
        return;
    done_ = true;
    drop_queue();
    if (handler_.on_closed)
        handler_.on_closed();
    handler_ = {};
}

template class ws_session<plain_stream>;
template class ws_session<tls_stream>;

} // namespace flotilla::http::transport
