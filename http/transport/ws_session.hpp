#pragma once
/// An accepted (or refused) WebSocket upgrade; owns the stream from then on.
/// Frames the layer above sends are queued under the server's queue_bound and
/// written one at a time; a client that does not keep up is closed with 1008.
/// Defined in ws_session.cpp, explicitly instantiated there for plain_stream
/// and tls_stream.

#include "http/transport/transport.hpp"

#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::http::transport {

template <class Stream>
class ws_session final : public session_base,
                         public ws_connection,
                         public std::enable_shared_from_this<ws_session<Stream>> {
public:
    ws_session(server::impl& srv, Stream&& stream);
    ~ws_session() override;

    /// Asks the server's upgrade function, then accepts or refuses `upgrade`.
    void start(bhttp::request<bhttp::string_body> upgrade, const std::string& remote);

    void send(std::shared_ptr<const std::vector<std::string>> frames) override;
    using ws_connection::send;
    void set_overflow_frame(std::string frame) override;
    void close() override;
    void post_shutdown() override { close(); }

private:
    void refuse(response r, unsigned version);
    void read();
    void too_slow();
    void drop_queue();
    void write_next();
    void close_now();
    void abort();
    void closed();

    server::impl& srv_;
    beast::websocket::stream<Stream> ws_;
    beast::flat_buffer buffer_;
    std::optional<std::uint64_t> id_;
    ws_handler handler_;
    using batch = std::shared_ptr<const std::vector<std::string>>;
    std::deque<batch> queue_;      ///< batches, as sent (shared with other subscribers)
    std::size_t queued_bytes_ = 0; ///< in queue_, not yet written
    std::size_t front_pos_ = 0;    ///< frames of the front batch written
    batch current_;                ///< holds the frame being written
    std::size_t current_pos_ = 0;  ///< its index in current_
    std::string overflow_frame_;
    beast::websocket::close_reason close_code_{beast::websocket::close_code::normal};
    net::steady_timer kill_timer_;
    bool accepted_ = false, writing_ = false, closing_ = false, close_started_ = false,
         done_ = false;
};

extern template class ws_session<plain_stream>;
extern template class ws_session<tls_stream>;

} // namespace flotilla::http::transport
