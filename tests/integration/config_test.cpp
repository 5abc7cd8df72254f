/// GET and PATCH /api/v1/fleet/config end to end, on both stores: the shapes,
/// the merge, dry_run, permissions, agent options reaching agents, and
/// live_query_disabled.

#include "model/user.hpp"
#include "tests/support/agent.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

class config_test : public served_test {
protected:
    void SetUp() override {
        serve();
        token_ = srv_->setup();
        inspect_ = db_->open();
    }
    http_reply call(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token) {
        header_list h;
        if (!token.empty())
            h.emplace_back("Authorization", "Bearer " + token);
        return http_once(srv_->port(), method, path, body, h);
    }
    http_reply get_config(const std::string& token = "") {
        return call("GET", "/api/v1/fleet/config", "", token.empty() ? token_ : token);
    }
    http_reply patch(const std::string& body, const std::string& path = "/api/v1/fleet/config",
                     const std::string& token = "") {
        return call("PATCH", path, body, token.empty() ? token_ : token);
    }
    static std::string reason(const http_reply& r) {
        return std::string(r.json().at("errors").at(0).at("reason").as_string());
    }

    std::string token_;
    std::unique_ptr<storage::store> inspect_;
};

} // namespace

TEST_P(config_test, get_returns_the_whole_config_with_its_read_only_blocks) {
    auto r = get_config();
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = r.json().as_object();
    EXPECT_EQ(j.at("org_info").at("org_name"), "Acme");
    EXPECT_EQ(j.at("server_settings").at("server_url"), "https://fleet.example.com");
    EXPECT_EQ(j.at("server_settings").at("live_query_disabled"), false);
    EXPECT_EQ(j.at("smtp_settings").at("port"), 587);
    EXPECT_EQ(j.at("host_expiry_settings").at("host_expiry_enabled"), false);
    EXPECT_EQ(j.at("webhook_settings").at("interval"), "24h0m0s");
    EXPECT_EQ(j.at("agent_options"), default_agent_options());
    EXPECT_EQ(j.at("license").at("tier"), "free");
    EXPECT_EQ(j.at("update_interval").at("osquery_detail"), 3'600'000'000'000);
    EXPECT_EQ(j.at("logging").at("result").at("plugin"), "filesystem");
    EXPECT_TRUE(j.contains("vulnerabilities"));
    // Every role reads it; without a session it is 401.
    const auto observer = make_user_with_token(*inspect_, "o@example.com", role::observer);
    EXPECT_EQ(get_config(observer).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/fleet/config", "", "").status, 401);
    EXPECT_EQ(call("GET", "/api/latest/fleet/config", "", token_).status, 200);
}

TEST_P(config_test, patch_merges_saves_and_answers_with_the_config_as_it_now_is) {
    auto r = patch(R"({"org_info":{"org_name":"Beta"},
                       "host_expiry_settings":{"host_expiry_enabled":true,"host_expiry_window":7},
                       "smtp_settings":{"password":"s3cret"}})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    EXPECT_EQ(j.at("org_info").at("org_name"), "Beta");
    EXPECT_EQ(j.at("org_info").at("org_logo_url"), ""); // merged, not replaced
    EXPECT_EQ(j.at("host_expiry_settings").at("host_expiry_window"), 7);
    EXPECT_EQ(j.at("smtp_settings").at("password"), "********");
    EXPECT_EQ(j.at("license").at("tier"), "free");
    // What the next request sees, and what is stored.
    EXPECT_EQ(get_config().json().at("org_info").at("org_name"), "Beta");
    auto stored = inspect_->load_app_config();
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->org().org_name, "Beta");
    EXPECT_EQ(stored->doc.at("smtp_settings").at("password"), "s3cret");
    EXPECT_EQ(stored->server_url(), "https://fleet.example.com");
    // current fleetctl's spelling.
    EXPECT_EQ(patch(R"({"org_info":{"org_name":"Gamma"}})", "/api/latest/fleet/config").status,
              200);
    EXPECT_EQ(inspect_->load_app_config()->org().org_name, "Gamma");
}

TEST_P(config_test, dry_run_validates_without_saving) {
    auto r = patch(R"({"org_info":{"org_name":"Dry"}})", "/api/v1/fleet/config?dry_run=true");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("org_info").at("org_name"), "Dry");
    EXPECT_EQ(inspect_->load_app_config()->org().org_name, "Acme");
    auto bad = patch(R"({"host_expiry_settings":{"host_expiry_enabled":true}})",
                     "/api/v1/fleet/config?dry_run=1");
    EXPECT_EQ(bad.status, 422) << bad.body;
    EXPECT_EQ(patch("{}", "/api/v1/fleet/config?dry_run=maybe").status, 400);
}

TEST_P(config_test, bad_patches_are_refused_naming_the_key_and_nothing_is_written) {
    const auto before = inspect_->load_app_config()->doc;
    auto unknown = patch(R"({"org_info":{"org_name":"X"},"server_settings":{"nope":true}})");
    ASSERT_EQ(unknown.status, 400) << unknown.body;
    EXPECT_EQ(unknown.json().at("message"), "Bad request");
    EXPECT_EQ(reason(unknown), "unknown field \"server_settings.nope\"");
    auto type = patch(R"({"server_settings":{"live_query_disabled":"yes"}})");
    ASSERT_EQ(type.status, 400) << type.body;
    EXPECT_NE(reason(type).find("server_settings.live_query_disabled"), std::string::npos);
    auto invalid = patch(R"({"org_info":{"org_name":"X"},
                           "host_expiry_settings":{"host_expiry_enabled":true}})");
    ASSERT_EQ(invalid.status, 422) << invalid.body;
    EXPECT_EQ(invalid.json().at("errors").at(0).at("name"), "host_expiry_window");
    EXPECT_EQ(patch("{not json").status, 400);
    EXPECT_EQ(patch("[]").status, 400);
    EXPECT_EQ(inspect_->load_app_config()->doc, before);
    // fleetctl apply --force (?force=true): keys Flotilla does not know are skipped,
    // as current Fleet's newer blocks (mdm, integrations) would be; the rest applies.
    auto forced = patch(R"({"org_info":{"org_name":"Forced"},"mdm":{"enable":true},
                           "server_settings":{"nope":true}})",
                        "/api/latest/fleet/config?force=true");
    ASSERT_EQ(forced.status, 200) << forced.body;
    EXPECT_FALSE(forced.json().as_object().contains("mdm"));
    EXPECT_EQ(inspect_->load_app_config()->doc.at("org_info").at("org_name"), "Forced");
    // Wrong types are still refused.
    EXPECT_EQ(patch(R"({"server_settings":{"live_query_disabled":"yes"}})",
                    "/api/v1/fleet/config?force=true")
                  .status,
              400);
    EXPECT_EQ(patch("{}", "/api/v1/fleet/config?force=maybe").status, 400);
}

TEST_P(config_test, only_global_admins_patch_it) {
    const auto before = inspect_->load_app_config()->doc;
    const auto blue = make_team(*inspect_, "blue");
    for (const auto& token :
         {make_user_with_token(*inspect_, "m@example.com", role::maintainer),
          make_user_with_token(*inspect_, "o@example.com", role::observer),
          make_user_with_token(*inspect_, "ta@example.com", std::nullopt, {{blue, role::admin}})}) {
        auto r = patch(R"({"org_info":{"org_name":"Nope"}})", "/api/v1/fleet/config", token);
        EXPECT_EQ(r.status, 403) << r.body;
    }
    EXPECT_EQ(call("PATCH", "/api/v1/fleet/config", "{}", "").status, 401);
    EXPECT_EQ(inspect_->load_app_config()->doc, before);
}

TEST_P(config_test, agent_options_reach_agents_at_their_next_config_fetch) {
    const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
    simulated_agent a(srv_->port(), srv_->client_opts(), {});
    ASSERT_EQ(a.enroll(secret), 200);
    auto first = a.config();
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json().at("options").at("distributed_interval"), 10);
    auto r = patch(R"({"agent_options":{"config":{"options":{"distributed_interval":3}},
                       "overrides":{"platforms":{"darwin":{"options":{"distributed_interval":7}}}}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto next = a.config();
    ASSERT_EQ(next.status, 200) << next.body;
    EXPECT_EQ(next.json().at("options").at("distributed_interval"), 3);
    EXPECT_FALSE(next.json().as_object().contains("decorators")); // replaced whole
    agent_identity mac;
    mac.host_identifier = "mac-1";
    mac.hostname = "mac-1.local";
    mac.uuid = "00000000-0000-0000-0000-000000000002";
    mac.platform = "darwin";
    mac.os_name = "macOS";
    simulated_agent m(srv_->port(), srv_->client_opts(), mac);
    ASSERT_EQ(m.enroll(secret), 200);
    EXPECT_EQ(m.config().json().at("options").at("distributed_interval"), 7);
}

TEST_P(config_test, live_query_disabled_refuses_live_queries_until_cleared) {
    const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
    simulated_agent a(srv_->port(), srv_->client_opts(), {});
    ASSERT_EQ(a.enroll(secret), 200);
    ASSERT_EQ(patch(R"({"server_settings":{"live_query_disabled":true}})").status, 200);
    const std::string run = R"({"query":"SELECT 1","selected":{"hosts":[1]}})";
    auto refused = call("POST", "/api/v1/fleet/queries/run", run, token_);
    ASSERT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(reason(refused), "disabled by administrator");
    auto status = call("GET", "/api/v1/fleet/status/live_query", "", token_);
    EXPECT_EQ(status.status, 403) << status.body;
    EXPECT_EQ(call("GET", "/api/v1/fleet/status/result_store", "", token_).status, 200);
    EXPECT_FALSE(inspect_->campaign_by_id(1)); // no campaign was written
    ASSERT_EQ(patch(R"({"server_settings":{"live_query_disabled":false}})").status, 200);
    EXPECT_EQ(call("POST", "/api/v1/fleet/queries/run", run, token_).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/fleet/status/live_query", "", token_).status, 200);
}

TEST_P(config_test, host_expiry_deletes_hosts_unseen_for_the_window) {
    server_options o;
    o.checkin.host_expiry_check = 50ms;
    o.checkin.seen_flush_interval = 50ms;
    serve(o);
    token_ = srv_->setup();
    inspect_ = db_->open();
    const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
    agent_identity old_id, fresh_id;
    fresh_id.host_identifier = "agent-2";
    fresh_id.hostname = "agent-2.local";
    fresh_id.uuid = "00000000-0000-0000-0000-000000000002";
    simulated_agent old_host(srv_->port(), srv_->client_opts(), old_id);
    simulated_agent fresh(srv_->port(), srv_->client_opts(), fresh_id);
    ASSERT_EQ(old_host.enroll(secret), 200);
    ASSERT_EQ(fresh.enroll(secret), 200);
    ASSERT_EQ(inspect_->list_hosts()->size(), 2u);

    srv_->advance(std::chrono::hours(24 * 8));
    auto seen = fresh.read(); // seen now; the old host 8 days ago
    ASSERT_EQ(seen.status, 200) << seen.body;
    token_ = srv_->login(admin_email, admin_password); // the first session idled out
    ASSERT_EQ(patch(R"({"host_expiry_settings":{"host_expiry_enabled":true,
                        "host_expiry_window":7}})")
                  .status,
              200);
    EXPECT_TRUE(eventually([&] { return inspect_->list_hosts()->size() == 1u; }, 10s,
                           "the host unseen for 8 days is deleted"));
    const auto left = inspect_->list_hosts();
    ASSERT_EQ(left->size(), 1u);
    EXPECT_EQ(left->at(0).osquery_host_id, "agent-2");
    // The deleted host's key is refused (once the registry, told after the store,
    // has forgotten it), so it enrolls again.
    http_reply refused;
    EXPECT_TRUE(eventually(
        [&] {
            refused = old_host.read();
            return refused.status == 401;
        },
        10s, "the deleted host's node key is refused"));
    EXPECT_EQ(refused.json().at("node_invalid"), true) << refused.body;
    EXPECT_EQ(fresh.read().status, 200);
    ASSERT_EQ(old_host.enroll(secret), 200);
    EXPECT_EQ(old_host.read().status, 200);
}

INSTANTIATE_TEST_SUITE_P(backends, config_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});

// Issue 14 pt 3: configs come from the cache, and every change an answer
// reports is in the next fetch (read-your-writes), label results included.
TEST_P(config_test, configs_come_from_the_cache_and_each_change_reaches_the_next_fetch) {
    const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
    simulated_agent a(srv_->port(), srv_->client_opts(), {});
    ASSERT_EQ(a.enroll(secret), 200);
    ASSERT_EQ(a.config().status, 200);
    const auto& stats = srv_->config_cache_stats();
    const auto hits = stats.hits.load();
    ASSERT_EQ(a.config().status, 200);
    EXPECT_EQ(stats.hits.load(), hits + 1); // the second fetch is served from memory

    auto packs_of = [&] {
        auto r = a.config();
        EXPECT_EQ(r.status, 200) << r.body;
        const auto cfg = r.json(); // a copy: json() returns a temporary
        const auto* packs = cfg.as_object().if_contains("packs");
        return packs ? bj::serialize(*packs) : std::string("none");
    };
    auto post = [&](const std::string& path, const std::string& body) {
        auto r = call("POST", path, body, token_);
        EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    };
    post("/api/v1/fleet/spec/queries",
         R"({"specs":[{"name":"q","query":"SELECT 1"},{"name":"q2","query":"SELECT 2"}]})");
    EXPECT_EQ(packs_of(), "none"); // queries alone change nothing
    post("/api/v1/fleet/spec/labels",
         R"({"specs":[{"name":"dyn","query":"SELECT 3","label_membership_type":"dynamic"}]})");
    post(
        "/api/v1/fleet/spec/packs",
        R"({"specs":[{"name":"everyone","targets":{"labels":["All Hosts"]},"queries":[{"query":"q","name":"s","interval":60}]},
                      {"name":"by_dyn","targets":{"labels":["dyn"]},"queries":[{"query":"q2","name":"t","interval":60}]}]})");
    EXPECT_EQ(packs_of(), R"({"everyone":{"queries":{"s":{"query":"SELECT 1","interval":60}}}})");
    post("/api/v1/fleet/spec/queries", R"({"specs":[{"name":"q","query":"SELECT 11"}]})");
    EXPECT_EQ(packs_of(), R"({"everyone":{"queries":{"s":{"query":"SELECT 11","interval":60}}}})");

    // The host answers dyn's query (a member): its next configs carry by_dyn.
    a.check_in();
    EXPECT_TRUE(eventually([&] { return packs_of().find("by_dyn") != std::string::npos; }, 5s,
                           "by_dyn after the label result"));

    // Team agent options and a transfer, then the global options.
    post(
        "/api/v1/fleet/spec/teams",
        R"({"specs":[{"name":"blue","agent_options":{"config":{"options":{"distributed_interval":42}}}}]})");
    const auto blue = inspect_->team_by_name("blue")->id;
    const auto host_id = inspect_->list_hosts()->at(0).id;
    post("/api/v1/fleet/hosts/transfer",
         bj::serialize(bj::object{{"team_id", blue}, {"hosts", bj::array{host_id}}}));
    EXPECT_EQ(a.config().json().at("options").at("distributed_interval"), 42);
    post("/api/v1/fleet/teams/" + std::to_string(blue) + "/agent_options",
         R"({"config":{"options":{"distributed_interval":5}}})");
    EXPECT_EQ(a.config().json().at("options").at("distributed_interval"), 5);
    // Back to no team: the global options, patched.
    post("/api/v1/fleet/hosts/transfer",
         bj::serialize(bj::object{{"team_id", nullptr}, {"hosts", bj::array{host_id}}}));
    ASSERT_EQ(
        patch(R"({"agent_options":{"config":{"options":{"distributed_interval":6}}}})").status,
        200);
    EXPECT_EQ(a.config().json().at("options").at("distributed_interval"), 6);
    EXPECT_GT(stats.invalidations.load(), 0u);
}
