#include "tests/support/test_server.hpp"

#include "tests/support/deadline.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace flotilla::testing {

test_server::test_server(std::shared_ptr<storage::store> store, server_options opts)
    : tls_(opts.tls), now_(now_micros()) {
    http::server_config cfg;
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.tls = opts.tls;
    cfg.cert_file = opts.cert_file;
    cfg.key_file = opts.key_file;
    cfg.io_threads = 2;
    cfg.max_queued = opts.max_queued;
    cfg.ping_interval = opts.ping_interval;
    app::instance_options io;
    io.sockjs_heartbeat = opts.sockjs_heartbeat;
    io.clock = [this] { return now_.load(); };
    io.checkin = opts.checkin;
    io.persistence = opts.persistence;
    io.checkin.clock = io.clock;
    logs_ = opts.logs;
    if (logs_.result_path.empty()) {
        static std::atomic<int> n{0};
        const auto dir = std::filesystem::temp_directory_path() /
                         ("flotilla_logs_" + std::to_string(getpid()) + "_" + std::to_string(n++));
        std::filesystem::create_directories(dir);
        logs_ = {dir / "osquery_result", dir / "osquery_status"};
    }
    io.logs = logs_;
    auto inst = app::instance::start(cfg, std::move(store), std::move(io));
    if (!inst)
        throw std::runtime_error("cannot start the test server: " + inst.err().message);
    inst_ = std::move(*inst);
    port_ = inst_->port();
    thread_ = std::thread([this] {
        inst_->run();
        stopped_ = true;
    });
}

test_server::~test_server() {
    stop();
}

void test_server::begin_stop() {
    if (inst_)
        inst_->shutdown();
}

void test_server::stop() {
    if (!inst_)
        return;
    inst_->shutdown();
    if (thread_.joinable())
        thread_.join();
    inst_.reset();
}

bool test_server::wait_requests_in_flight(int n, std::chrono::milliseconds deadline) {
    return wait_until([&] { return inst_->requests_in_flight_for_test() == n; }, deadline,
                      std::chrono::milliseconds(5));
}

std::unique_ptr<http_client> test_server::client() const {
    return std::make_unique<http_client>(port_, client_opts());
}

std::string test_server::setup() {
    boost::json::object body{
        {"server_url", "https://fleet.example.com"},
        {"org_info", {{"org_name", "Acme"}, {"org_logo_url", ""}}},
        {"admin", {{"name", "Admin"}, {"email", admin_email}, {"password", admin_password}}}};
    auto r =
        http_once(port_, "POST", "/api/v1/setup", boost::json::serialize(body), {}, client_opts());
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200)
        return {};
    return std::string(r.json().at("token").as_string());
}

std::string test_server::login(const std::string& email, const std::string& password) {
    boost::json::object body{{"email", email}, {"password", password}};
    auto r = http_once(port_, "POST", "/api/v1/fleet/login", boost::json::serialize(body), {},
                       client_opts());
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200)
        return {};
    return std::string(r.json().at("token").as_string());
}

std::string test_server::signed_in_user(const std::string& admin_token, const std::string& email,
                                        std::optional<role> global_role,
                                        const std::vector<std::pair<std::int64_t, role>>& teams) {
    const std::string password = "pass-1!x";
    boost::json::object body{{"name", "User " + email},
                             {"email", email},
                             {"password", password},
                             {"admin_forced_password_reset", false}};
    if (global_role)
        body["global_role"] = to_string(*global_role);
    boost::json::array team_roles;
    for (const auto& [id, r] : teams)
        team_roles.push_back(boost::json::object{{"id", id}, {"role", to_string(r)}});
    if (!teams.empty())
        body["teams"] = std::move(team_roles);
    auto r = http_once(port_, "POST", "/api/v1/fleet/users/admin", boost::json::serialize(body),
                       {{"Authorization", "Bearer " + admin_token}}, client_opts());
    EXPECT_EQ(r.status, 200) << r.body;
    return login(email, password);
}

} // namespace flotilla::testing
