/// checkin_ceiling: the least an HTTP server can do per check-in on this machine.
/// A Beast keep-alive responder that answers every request with one fixed JSON
/// body, good for every osquery endpoint agent_sim calls (it carries a node_key
/// for enroll and no queries for distributed/read). Driven by agent_sim, it gives
/// the ceiling that Flotilla's distributed/read throughput is a ratio of.

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

const std::string answer = R"({"node_key":"ceiling","node_invalid":false,"queries":{}})";

class session : public std::enable_shared_from_this<session> {
public:
    explicit session(tcp::socket s) : stream_(std::move(s)) {}
    void read() {
        req_ = {};
        bhttp::async_read(stream_, buffer_, req_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec)
                                  self->write();
                          });
    }

private:
    void write() {
        res_ = {};
        res_.version(req_.version());
        res_.result(bhttp::status::ok);
        res_.set(bhttp::field::content_type, "application/json; charset=utf-8");
        res_.keep_alive(req_.keep_alive());
        res_.body() = answer;
        res_.prepare_payload();
        bhttp::async_write(stream_, res_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (!ec && self->res_.keep_alive())
                                   self->read();
                           });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    bhttp::request<bhttp::string_body> req_;
    bhttp::response<bhttp::string_body> res_;
};

void accept(net::io_context& io, tcp::acceptor& acc) {
    acc.async_accept(net::make_strand(io), [&io, &acc](beast::error_code ec, tcp::socket s) {
        if (!ec) {
            s.set_option(tcp::no_delay(true));
            std::make_shared<session>(std::move(s))->read();
        }
        accept(io, acc);
    });
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"checkin_ceiling: a trivial keep-alive HTTP responder"};
    std::string address = "127.0.0.1";
    unsigned short port = 18700;
    unsigned threads = 2;
    double duration = 0;
    app.add_option("--address", address, "listen address");
    app.add_option("--port", port, "listen port (0 picks one)");
    app.add_option("--threads", threads, "I/O threads (Flotilla's default is 2)")
        ->check(CLI::Range(1u, 64u));
    app.add_option("--duration", duration, "exit after this many seconds (0: until killed)");
    CLI11_PARSE(app, argc, argv);

    net::io_context io;
    tcp::acceptor acc(io, {net::ip::make_address(address), port});
    std::cout << "serving on http://" << address << ":" << acc.local_endpoint().port() << std::endl;
    accept(io, acc);
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { io.stop(); });
    net::steady_timer end(io);
    if (duration > 0) {
        end.expires_after(std::chrono::milliseconds(static_cast<long>(duration * 1000)));
        end.async_wait([&](beast::error_code ec) {
            if (!ec)
                io.stop();
        });
    }
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool)
        t.join();
}
