/// The HTTP transport over real sockets: routing fallbacks, body limits,
/// keep-alive, pipelining, malformed requests and graceful shutdown.

#include "http/server.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_server.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class transport_test : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(backend::sqlite);
        srv_ = std::make_unique<test_server>(db_->open());
        token_ = srv_->setup();
        ASSERT_FALSE(token_.empty());
    }
    std::unique_ptr<test_database> db_;
    std::unique_ptr<test_server> srv_;
    std::string token_;
};

std::string raw_get(const std::string& target, const std::string& token) {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
}

} // namespace

TEST_F(transport_test, unknown_path_is_404_json) {
    auto r = http_once(srv_->port(), "GET", "/api/v1/fleet/nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_TRUE(r.header("content-type").starts_with("application/json"));
    EXPECT_EQ(r.json(), bj::parse(R"({"message":"Resource Not Found",
                                       "errors":[{"name":"base","reason":"404 page not found"}]})"));
}

TEST_F(transport_test, known_path_with_wrong_method_is_405_json) {
    auto r = http_once(srv_->port(), "GET", "/api/v1/fleet/login");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.json().at("message"), "Method Not Allowed");
    auto d = http_once(srv_->port(), "DELETE", "/api/v1/fleet/me");
    EXPECT_EQ(d.status, 405);
}

TEST_F(transport_test, a_body_over_the_limit_is_413_json) {
    auto c = srv_->client();
    c->send_raw("POST /api/v1/fleet/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: " +
                std::to_string(http::max_body_bytes + 1) + "\r\n\r\n{");
    auto r = c->read_reply();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.json().at("message"), "Request Entity Too Large");
    EXPECT_EQ(r.json().at("errors").at(0).at("reason"),
              ("request body exceeds " + std::to_string(http::max_body_bytes) + " bytes").c_str());
    EXPECT_FALSE(r.keep_alive);
}

TEST_F(transport_test, a_body_at_the_limit_is_read_and_judged_on_its_content) {
    std::string body(http::max_body_bytes, ' ');
    body.front() = '{';
    auto r = http_once(srv_->port(), "POST", "/api/v1/fleet/login", body);
    EXPECT_EQ(r.status, 400) << r.body; // read whole, then rejected as malformed JSON
    EXPECT_EQ(r.json().at("message"), "Bad request");
}

TEST_F(transport_test, keep_alive_serves_many_requests_on_one_connection) {
    auto c = srv_->client();
    for (int i = 0; i < 5; ++i) {
        auto r = c->authed("GET", "/api/v1/fleet/me", token_);
        ASSERT_EQ(r.status, 200) << i;
        EXPECT_TRUE(r.keep_alive);
    }
}

TEST_F(transport_test, pipelined_requests_are_answered_in_order) {
    auto c = srv_->client();
    c->send_raw(raw_get("/api/v1/fleet/me", token_) + raw_get("/api/v1/fleet/nope", token_) +
                raw_get("/api/v1/fleet/status/live_query", token_));
    auto a = c->read_reply();
    auto b = c->read_reply();
    auto d = c->read_reply();
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.json().at("user").at("email"), admin_email);
    EXPECT_EQ(b.status, 404);
    EXPECT_EQ(d.status, 200);
    EXPECT_EQ(d.json(), bj::object{});
}

TEST_F(transport_test, connection_close_is_honoured) {
    auto c = srv_->client();
    auto r = c->request("GET", "/api/v1/fleet/me", "",
                        {{"Authorization", "Bearer " + token_}, {"Connection", "close"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.keep_alive);
    EXPECT_TRUE(c->closed_by_server());
}

TEST_F(transport_test, a_malformed_request_is_400_json_and_closed) {
    auto c = srv_->client();
    c->send_raw("GET /api/v1/fleet/me HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n");
    auto r = c->read_reply();
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json().at("message"), "Bad request");
    EXPECT_TRUE(c->closed_by_server());
}

TEST_F(transport_test, a_malformed_path_is_400) {
    auto r = http_once(srv_->port(), "GET", "/api/v1/fleet/spec/queries/%zz", "",
                       {{"Authorization", "Bearer " + token_}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json().at("message"), "Bad request");
}

TEST_F(transport_test, graceful_shutdown_finishes_the_request_in_flight) {
    auto idle = srv_->client(); // an idle keep-alive connection
    ASSERT_EQ(idle->authed("GET", "/api/v1/fleet/me", token_).status, 200);

    // The idle connection's answer is fully written before the busy one starts.
    ASSERT_TRUE(srv_->wait_requests_in_flight(0, std::chrono::seconds(5)));
    auto busy = srv_->client();
    const std::string body = R"({"email":"admin@example.com","password":"wrong"})";
    busy->send_raw("POST /api/v1/fleet/login HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10));
    // The server has seen the start of the request before shutting down.
    ASSERT_TRUE(srv_->wait_requests_in_flight(1, std::chrono::seconds(5)));
    srv_->begin_stop();

    EXPECT_TRUE(idle->closed_by_server()); // idle connections are closed at once
    // No new connections are accepted.
    eventually(
        [&] {
            try {
                http_once(srv_->port(), "GET", "/api/v1/fleet/me", "", {},
                          {false, std::chrono::milliseconds(500)});
                return false;
            } catch (const std::runtime_error&) {
                return true;
            }
        },
        std::chrono::seconds(5), "new connections to be refused");
    EXPECT_FALSE(srv_->stopped());

    busy->send_raw(body.substr(10));
    auto r = busy->read_reply();
    EXPECT_EQ(r.status, 401); // answered in full
    EXPECT_EQ(r.json().at("message"), "Authentication failed");
    EXPECT_FALSE(r.keep_alive);
    srv_->stop(); // returns once run() has returned
    EXPECT_TRUE(srv_->stopped());
}

TEST_F(transport_test, a_request_already_sent_on_a_kept_alive_connection_is_answered_at_shutdown) {
    auto kept = srv_->client();
    ASSERT_EQ(kept->authed("GET", "/api/v1/fleet/me", token_).status, 200);
    ASSERT_TRUE(srv_->wait_requests_in_flight(0, std::chrono::seconds(5)));
    // Sent whole before the shutdown starts: whether or not the server has read
    // it yet, it is a request, not an idle connection.
    kept->send_raw(raw_get("/api/v1/fleet/me", token_));
    srv_->begin_stop();
    auto r = kept->read_reply();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.json().at("user").at("email"), admin_email);
    EXPECT_TRUE(kept->closed_by_server()); // and then the connection ends
    srv_->stop();
    EXPECT_TRUE(srv_->stopped());
}
