/// The listener: binds, loads the TLS context, accepts connections and hands
/// each to an HTTP session of the right stream type, runs the I/O threads and
/// the graceful shutdown (signals, grace period, watchdog).

#include "http/transport/http_session.hpp"
#include "http/transport/transport.hpp"

#include <spdlog/spdlog.h>
#include <thread>
#include <vector>

namespace flotilla::http {

using namespace transport;

namespace {

/// Registers and starts an HTTP session on an accepted socket.
template <class Stream, class... Args>
void start_session(server::impl& srv, tcp::socket socket, Args&... args) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto ep = socket.remote_endpoint(ec);
    std::string remote = ec ? std::string() : ep.address().to_string();
    // Declared before the lock, so released after it: the session's destructor
    // (when start fails at once) takes the same lock in session_closed.
    std::shared_ptr<http_session<Stream>> s;
    std::lock_guard lock(srv.mu);
    const auto id = srv.next_id++;
    s = std::make_shared<http_session<Stream>>(srv, id, std::move(remote), std::move(socket),
                                               args...);
    srv.sessions.emplace(id, s);
    s->start();
}

} // namespace

std::uint64_t server::impl::add_session(std::weak_ptr<session_base> s) {
    std::lock_guard lock(mu);
    const auto id = next_id++;
    sessions.emplace(id, std::move(s));
    return id;
}

void server::impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [self = shared_from_this()](beast::error_code ec,
                                                                             tcp::socket socket) {
        if (self->stopping || !self->acceptor.is_open())
            return;
        if (ec) {
            spdlog::warn("accept failed: {}", ec.message());
            return self->accept();
        }
        if (self->ssl_ctx)
            start_session<tls_stream>(*self, std::move(socket), *self->ssl_ctx);
        else
            start_session<plain_stream>(*self, std::move(socket));
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
