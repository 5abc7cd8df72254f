#pragma once
/// A whole Flotilla instance on port 0, serving on its own thread, with a clock
/// the test moves by hand. Destroying it shuts the instance down gracefully.

#include "app/instance.hpp"
#include "tests/support/http_client.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace flotilla::testing {

struct server_options {
    bool tls = false;
    std::string cert_file;
    std::string key_file;
    /// Check-in intervals and housekeeping (the clock is the server's own).
    actors::checkin_settings checkin;
    /// Where osquery logs go ("" → files in a fresh temporary directory).
    actors::log_files logs{"", ""};
    /// The results stream's timings and bounds (short or small in some tests).
    http::queue_bound max_queued;
    std::chrono::milliseconds ping_interval = http::ws_ping_interval;
    std::chrono::milliseconds sockjs_heartbeat = actors::heartbeat_interval;
    /// The bound on acknowledged writes kept while the store is unavailable.
    actors::persistence_options persistence;

    /// TLS with this certificate and key.
    static server_options with_tls(std::string cert, std::string key) {
        server_options o;
        o.tls = true;
        o.cert_file = std::move(cert);
        o.key_file = std::move(key);
        return o;
    }
};

/// The admin that `setup()` creates.
inline constexpr const char* admin_email = "admin@example.com";
inline constexpr const char* admin_password = "correct horse battery staple";

class test_server {
public:
    explicit test_server(std::shared_ptr<storage::store> store, server_options opts = {});
    ~test_server();

    unsigned short port() const { return port_; }
    client_options client_opts() const { return {tls_, std::chrono::milliseconds(10000)}; }
    /// A new keep-alive connection to this server.
    std::unique_ptr<http_client> client() const;

    /// Moves the instance's clock forward.
    void advance(std::chrono::seconds s) { now_ += static_cast<micros>(s.count()) * 1'000'000; }
    micros now() const { return now_; }

    /// Completes setup (admin_email / admin_password); returns the admin's token.
    std::string setup();
    /// Logs in; returns the token (fails the test on any other answer).
    std::string login(const std::string& email, const std::string& password);
    /// A user the admin (`admin_token`) creates through POST /users/admin, with a
    /// global role or team roles, who then signs in through /login: its token.
    std::string signed_in_user(const std::string& admin_token, const std::string& email,
                               std::optional<role> global_role,
                               const std::vector<std::pair<std::int64_t, role>>& teams = {});

    /// Starts a graceful shutdown and waits until the serving thread has returned.
    void stop();
    /// Waits (up to `deadline`) until `n` requests are under way in the transport.
    bool wait_requests_in_flight(int n, std::chrono::milliseconds deadline);
    void stop_registry_for_test() { inst_->stop_registry_for_test(); }
    /// Actors alive in the instance.
    std::size_t running_actors() const { return inst_->running_actors_for_test(); }
    /// The log writer's counters.
    const actors::log_counters& log_counters() const { return inst_->log_counters(); }
    /// What happened to acknowledged writes (kept while the store was down, ...).
    const actors::deferred_counters& deferred_counters() const {
        return inst_->deferred_counters();
    }
    const service::config_cache::counters& config_cache_stats() const {
        return inst_->config_cache_stats();
    }
    /// The osquery log files in use.
    const actors::log_files& logs() const { return logs_; }
    /// Starts a graceful shutdown without waiting.
    void begin_stop();
    /// True once the serving thread has returned from run().
    bool stopped() const { return stopped_; }

private:
    bool tls_;
    std::atomic<micros> now_;
    actors::log_files logs_;
    std::unique_ptr<app::instance> inst_;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stopped_{false};
};

} // namespace flotilla::testing
