/// TLS (--server_tls) with a self-signed certificate made at test time by the
/// openssl CLI.

#include "tests/support/agent.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_server.hpp"

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;

namespace {

class tls_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ =
            std::filesystem::temp_directory_path() / ("flotilla_tls_" + std::to_string(getpid()));
        std::filesystem::create_directories(dir_);
        const std::string cmd =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
            " -keyout " +
            dir_ + "/key.pem -out " + dir_ + "/cert.pem 2>/dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    void SetUp() override {
        db_ = std::make_unique<test_database>(backend::sqlite);
        srv_ = std::make_unique<test_server>(
            db_->open(), server_options::with_tls(dir_ + "/cert.pem", dir_ + "/key.pem"));
    }

    static inline std::string dir_;
    std::unique_ptr<test_database> db_;
    std::unique_ptr<test_server> srv_;
};

} // namespace

TEST_F(tls_test, setup_login_and_me_over_https) {
    const std::string token = srv_->setup();
    ASSERT_FALSE(token.empty());
    ASSERT_FALSE(srv_->login(admin_email, admin_password).empty());
    auto c = srv_->client();
    auto me = c->authed("GET", "/api/v1/fleet/me", token);
    EXPECT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.json().at("user").at("email"), admin_email);
    auto again = c->authed("GET", "/api/v1/fleet/me", token); // keep-alive over TLS
    EXPECT_EQ(again.status, 200);
}

TEST_F(tls_test, the_osquery_agent_flow_runs_over_https) {
    ASSERT_FALSE(srv_->setup().empty());
    auto st = db_->open();
    const auto secret = st->global_enroll_secrets()->at(0).secret;
    simulated_agent a(srv_->port(), srv_->client_opts(), agent_identity{});
    ASSERT_EQ(a.enroll(secret), 200);
    EXPECT_EQ(a.config().status, 200);
    auto answered = a.check_in();
    EXPECT_FALSE(answered.empty());
    EXPECT_EQ(a.read().json(), boost::json::parse(R"({"queries":{}})"));
    EXPECT_EQ(a.log("status", boost::json::array{boost::json::object{{"m", "x"}}}).status, 200);
    EXPECT_EQ(st->list_hosts()->size(), 1u);
}

TEST_F(tls_test, a_sockjs_xhr_stream_is_written_and_ended_over_https) {
    ASSERT_FALSE(srv_->setup().empty());
    const std::string base = "/api/v1/fleet/results/0/tls1/";
    auto post = [&](const std::string& what, const std::string& body = "") {
        return http_once(srv_->port(), "POST", base + what, body, {}, srv_->client_opts());
    };
    EXPECT_EQ(post("xhr").body, "o\n");
    EXPECT_EQ(post("xhr_send", R"(["{\"type\":\"nonsense\"}"])").status, 204);
    // The subscriber closes the session (no message for a bad first frame); the
    // stream carries the close whenever it comes, and ends.
    auto streamed = post("xhr_streaming"); // chunked over TLS, then closed
    EXPECT_EQ(streamed.status, 200);
    EXPECT_EQ(streamed.body, std::string(2048, 'h') + "\nc[3000,\"Go away!\"]\n");
}

TEST_F(tls_test, a_silent_tcp_client_does_not_delay_another_clients_request) {
    namespace net = boost::asio;
    net::io_context ioc;
    std::vector<net::ip::tcp::socket> silent;
    for (int i = 0; i < 4; ++i) {
        silent.emplace_back(ioc);
        silent.back().connect({net::ip::make_address("127.0.0.1"), srv_->port()});
    }
    // The handshake timeout is 10 s; a client blocked behind the silent ones would
    // miss this 3 s deadline.
    auto r = http_once(srv_->port(), "POST", "/api/v1/setup", "{}", {},
                       {true, std::chrono::milliseconds(3000)});
    EXPECT_EQ(r.status, 422);
}

TEST_F(tls_test, plain_http_on_the_tls_port_is_not_served) {
    auto c = std::make_unique<http_client>(srv_->port(),
                                           client_options{false, std::chrono::milliseconds(3000)});
    EXPECT_THROW(c->request("GET", "/api/v1/fleet/me"), std::runtime_error);
}

TEST_F(tls_test, a_missing_certificate_fails_to_start_with_a_clear_message) {
    test_database db(backend::sqlite);
    try {
        test_server bad(db.open(),
                        server_options::with_tls("/nonexistent/cert.pem", dir_ + "/key.pem"));
        FAIL() << "started without a certificate";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot load TLS certificate"), std::string::npos)
            << e.what();
    }
}
