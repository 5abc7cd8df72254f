/// Hardening (issue 11): the exception boundary, the node key before anything
/// else on the osquery endpoints, range-checked numbers, and read-your-writes
/// for the label and policy catalogue; on both stores where a store is involved.

#include "http/server.hpp"
#include "tests/support/agent.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <stdexcept>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;
namespace bj = boost::json;

namespace {

/// A bare transport whose dispatch throws, drops its responder or answers.
class boundary_test : public ::testing::Test {
protected:
    void SetUp() override {
        http::server_config cfg;
        cfg.port = 0;
        srv_ = std::make_unique<http::server>(
            cfg,
            [](http::request req, http::responder reply) {
                if (req.target == "/throw")
                    throw std::runtime_error("handler blew up");
                if (req.target == "/drop")
                    return; // the responder goes out of scope unanswered
                if (req.target == "/twice") {
                    reply(http::response::json(200, bj::object{{"first", true}}));
                    reply(http::response::json(201, bj::object{{"second", true}}));
                    return;
                }
                reply(http::response::json(200, bj::object{{"ok", true}}));
            },
            [](const http::request&, std::shared_ptr<http::ws_connection>)
                -> http::upgrade_decision { throw std::logic_error("upgrade blew up"); });
        ASSERT_TRUE(srv_->listen());
        thread_ = std::thread([this] { srv_->run(); });
    }
    void TearDown() override {
        srv_->shutdown();
        thread_.join();
    }
    std::unique_ptr<http::server> srv_;
    std::thread thread_;
};

/// An osquery request body with this node key and extra members.
std::string agent_body(const std::string& node_key, const std::string& rest) {
    return R"({"node_key":")" + node_key + R"(",)" + rest + "}";
}

} // namespace

TEST_F(boundary_test, a_throwing_handler_is_a_500_for_that_request_only) {
    http_client c(srv_->port());
    auto r = c.request("GET", "/throw");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.json().at("message"), "internal error: the request was dropped unanswered");
    // The same connection and the server go on.
    auto ok = c.request("GET", "/ok");
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.json(), bj::parse(R"({"ok":true})"));
}

TEST_F(boundary_test, a_dropped_responder_is_answered_500_and_a_second_answer_is_ignored) {
    http_client c(srv_->port());
    auto r = c.request("GET", "/drop");
    EXPECT_EQ(r.status, 500);
    EXPECT_TRUE(r.json().as_object().contains("errors"));
    auto t = c.request("GET", "/twice");
    EXPECT_EQ(t.status, 200);
    EXPECT_EQ(t.json(), bj::parse(R"({"first":true})"));
    auto ok = c.request("GET", "/ok"); // no stray second response on the connection
    EXPECT_EQ(ok.json(), bj::parse(R"({"ok":true})"));
}

TEST_F(boundary_test, a_throwing_upgrade_is_refused_with_500) {
    http_client c(srv_->port());
    c.send_raw("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    auto r = c.read_reply();
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.json().at("errors").at(0).at("reason"), "internal error: upgrade blew up");
    EXPECT_EQ(http_once(srv_->port(), "GET", "/ok").status, 200);
}

namespace {

class hardening_test : public served_test {
protected:
    void SetUp() override {
        server_options o;
        serve(o);
        token_ = srv_->setup();
        inspect_ = db_->open();
        secret_ = inspect_->global_enroll_secrets()->at(0).secret;
    }
    std::unique_ptr<simulated_agent> enrolled(const std::string& name) {
        agent_identity id;
        id.host_identifier = name;
        id.hostname = name;
        auto a = std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(), id);
        EXPECT_EQ(a->enroll(secret_), 200);
        return a;
    }
    http_reply post_agent(const std::string& path, const std::string& body) {
        return http_once(srv_->port(), "POST", "/api/osquery/" + path, body);
    }
    http_reply apply(const std::string& path, const std::string& body) {
        return http_once(srv_->port(), "POST", "/api/v1/fleet/spec/" + path, body,
                         {{"Authorization", "Bearer " + token_}});
    }
    std::string token_, secret_;
    std::unique_ptr<storage::store> inspect_;
};

/// The label (policy) queries in a distributed/read body, by name.
std::vector<std::string> names_with(const http_reply& r, const std::string& prefix) {
    std::vector<std::string> out;
    const auto body = r.json(); // kept: the loop reads into it
    for (const auto& kv : body.at("queries").as_object())
        if (kv.key().starts_with(prefix))
            out.emplace_back(kv.key());
    return out;
}

} // namespace

TEST_P(hardening_test, bad_statuses_without_a_valid_node_key_are_node_invalid) {
    for (const char* status : {R"("-")", R"("--1")", R"("99999999999999999999")", "1e400",
                               "99999999999999999999", "-1.5", "true", "null", "[]"}) {
        SCOPED_TRACE(status);
        const std::string rest =
            std::string(R"("queries":{"q":[]},"statuses":{"q":)") + status + "}";
        auto r = post_agent("distributed/write", agent_body("anything", rest));
        if (std::string_view(status) == "1e400") { // not a number JSON can carry
            EXPECT_EQ(r.status, 400) << r.body;
            continue;
        }
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_EQ(r.json().at("node_invalid"), true);
    }
    // Still serving: an agent enrolls and reads.
    auto a = enrolled("after-attack");
    EXPECT_EQ(a->read().status, 200);
}

TEST_P(hardening_test, bad_statuses_with_a_valid_node_key_are_400_naming_the_field) {
    auto a = enrolled("h1");
    for (const char* status : {R"("-")", R"("--1")", R"("99999999999999999999")",
                               "99999999999999999999", "-1.5", R"("")"}) {
        SCOPED_TRACE(status);
        const std::string rest =
            std::string(
                R"("queries":{"fleet_detail_query_uptime":[]},"statuses":{"fleet_detail_query_uptime":)") +
            status + "}";
        auto r = post_agent("distributed/write", agent_body(a->node_key(), rest));
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.json().at("errors").at(0).at("reason"),
                  "statuses.fleet_detail_query_uptime is not an integer of at most 64 bits");
    }
    // Integral statuses in range are fine, as numbers or strings.
    for (const char* status : {"0", R"("0")", "1", R"("-1")", "2.0", "9223372036854775807"}) {
        SCOPED_TRACE(status);
        const std::string rest =
            std::string(R"("queries":{"q":[]},"statuses":{"q":)") + status + "}";
        EXPECT_EQ(post_agent("distributed/write", agent_body(a->node_key(), rest)).status, 200);
    }
}

TEST_P(hardening_test, the_node_key_comes_first_on_log_and_write) {
    auto bad_log = post_agent("log", agent_body("nope", R"("log_type":"nonsense","data":7)"));
    EXPECT_EQ(bad_log.status, 401);
    EXPECT_EQ(bad_log.json().at("node_invalid"), true);
    auto bad_write = post_agent("distributed/write", agent_body("nope", R"("queries":[1,2])"));
    EXPECT_EQ(bad_write.status, 401);
    auto a = enrolled("h2");
    auto log = post_agent("log", agent_body(a->node_key(), R"("log_type":"nonsense","data":[])"));
    EXPECT_EQ(log.status, 400);
    EXPECT_EQ(log.json().at("errors").at(0).at("reason"), "unknown log type: nonsense");
    auto write = post_agent("distributed/write", agent_body(a->node_key(), R"("queries":[1,2])"));
    EXPECT_EQ(write.status, 400);
}

TEST_P(hardening_test, huge_ids_in_a_live_query_target_are_400) {
    auto r = http_once(srv_->port(), "POST", "/api/v1/fleet/queries/run",
                       R"({"query":"SELECT 1","selected":{"hosts":[18446744073709551615]}})",
                       {{"Authorization", "Bearer " + token_}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json().at("errors").at(0).at("reason"),
              "selected.hosts must hold integers of at most 2^63-1");
}

TEST_P(hardening_test, a_label_applied_is_asked_at_the_next_check_in_of_every_host) {
    auto old_host = enrolled("old");
    old_host->check_in(); // answers every due query: its labels are not due for an hour
    EXPECT_TRUE(names_with(old_host->read(), "fleet_label_query_").empty());

    ASSERT_EQ(apply("labels", R"({"specs":[{"name":"new-label","query":"SELECT 42",
                                  "label_membership_type":"dynamic"}]})")
                  .status,
              200);
    auto id = inspect_->label_spec_by_name("new-label")->id;
    const std::string name = "fleet_label_query_" + std::to_string(id);
    // The very next read, with no wait: only the new label, not every label again.
    auto r = old_host->read();
    EXPECT_EQ(names_with(r, "fleet_label_query_"), std::vector<std::string>{name}) << r.body;
    EXPECT_EQ(r.json().at("queries").at(name), "SELECT 42");
    // A host that enrolls now has it in its first read, with the builtins.
    auto new_host = enrolled("new");
    auto first = names_with(new_host->read(), "fleet_label_query_");
    EXPECT_NE(std::find(first.begin(), first.end(), name), first.end());
    // Once answered it is not asked again; changing its query asks it again.
    EXPECT_EQ(old_host->answer(r.json().at("queries").as_object()).status, 200);
    EXPECT_TRUE(names_with(old_host->read(), "fleet_label_query_").empty());
    ASSERT_EQ(apply("labels", R"({"specs":[{"name":"new-label","query":"SELECT 43",
                                  "label_membership_type":"dynamic"}]})")
                  .status,
              200);
    auto again = old_host->read();
    EXPECT_EQ(names_with(again, "fleet_label_query_"), std::vector<std::string>{name});
    EXPECT_EQ(again.json().at("queries").at(name), "SELECT 43");
}

TEST_P(hardening_test, a_policy_applied_is_asked_at_the_next_check_in) {
    auto h = enrolled("p1");
    h->check_in();
    EXPECT_TRUE(names_with(h->read(), "fleet_policy_query_").empty());
    ASSERT_EQ(apply("policies", R"({"specs":[{"name":"p","query":"SELECT 1"}]})").status, 200);
    auto r = h->read();
    auto got = names_with(r, "fleet_policy_query_");
    ASSERT_EQ(got.size(), 1u) << r.body;
    EXPECT_EQ(r.json().at("queries").at(got[0]), "SELECT 1");
}

INSTANTIATE_TEST_SUITE_P(stores, hardening_test, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return backend_name(info.param); });
