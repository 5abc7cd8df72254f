/// The osquery agent protocol end to end with a simulated agent, on both stores.

#include "tests/support/agent.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/test_server.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;
namespace bj = boost::json;

namespace {

class agent_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override { start({}); }
    void TearDown() override { srv_.reset(); }

    void start(server_options opts) {
        srv_.reset();
        db_ = std::make_unique<test_database>(GetParam());
        auto st = db_->open();
        ASSERT_NE(st, nullptr);
        opts.checkin.seen_flush_interval = 50ms;
        opts.checkin.catalog_refresh = 50ms;
        srv_ = std::make_unique<test_server>(std::move(st), opts);
        token_ = srv_->setup();
        inspect_ = db_->open();
        secret_ = inspect_->global_enroll_secrets()->at(0).secret;
    }

    std::unique_ptr<simulated_agent> agent(agent_identity id = {}) {
        return std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(), id);
    }
    http_reply admin_post(const std::string& path, const std::string& body) {
        return http_once(srv_->port(), "POST", path, body, {{"Authorization", "Bearer " + token_}});
    }
    host stored_host(const std::string& identifier) {
        auto hosts = inspect_->list_hosts();
        for (auto& h : *hosts)
            if (h.osquery_host_id == identifier)
                return h;
        ADD_FAILURE() << "no host " << identifier;
        return {};
    }
    /// `pred` holds before the deadline (tests/support/deadline.hpp).
    template <class Pred> bool eventually(Pred pred, std::chrono::milliseconds deadline = 5s) {
        return wait_until(pred, deadline, 10ms);
    }
    static std::vector<std::string> names(const http_reply& r) {
        std::vector<std::string> out;
        const auto body = r.json();
        for (const auto& kv : body.at("queries").as_object())
            out.emplace_back(kv.key());
        return out;
    }
    static bool has(const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<test_server> srv_;
    std::unique_ptr<storage::store> inspect_;
    std::string token_, secret_;
};

} // namespace

TEST_P(agent_test, enroll_config_read_write_and_log) {
    auto a = agent();
    ASSERT_EQ(a->enroll(secret_), 200);
    EXPECT_EQ(a->node_key().size(), 32u);
    host h = stored_host("agent-1");
    EXPECT_EQ(h.hostname, "agent-1.local");
    EXPECT_EQ(h.platform, "ubuntu");
    EXPECT_EQ(h.osquery_version, "5.10.2");
    EXPECT_EQ(h.team_id, std::nullopt);
    EXPECT_EQ(h.node_key, a->node_key());
    EXPECT_EQ(*inspect_->host_label_ids(h.id), std::vector<std::int64_t>{6}); // All Hosts at once

    auto cfg = a->config();
    ASSERT_EQ(cfg.status, 200) << cfg.body;
    EXPECT_EQ(cfg.json(), default_agent_options().at("config"));

    auto first = a->read();
    ASSERT_EQ(first.status, 200) << first.body;
    auto due = names(first);
    for (const char* d : {"os_version", "osquery_info", "system_info", "osquery_flags",
                          "network_interface", "uptime"})
        EXPECT_TRUE(has(due, std::string("fleet_detail_query_") + d)) << d;
    for (int label = 6; label <= 12; ++label)
        EXPECT_TRUE(has(due, "fleet_label_query_" + std::to_string(label))) << label;
    EXPECT_FALSE(first.json().as_object().contains("accelerate")); // hostname and platform known

    ASSERT_EQ(a->answer(first.json().at("queries").as_object()).status, 200);
    // Labels: All Hosts and Ubuntu Linux match this host; the rest do not.
    ASSERT_TRUE(eventually([&] {
        return *inspect_->host_label_ids(h.id) == std::vector<std::int64_t>{6, 8};
    })) << ::testing::PrintToString(*inspect_->host_label_ids(h.id));
    ASSERT_TRUE(eventually([&] { return stored_host("agent-1").primary_ip == "10.0.0.1"; }));
    h = stored_host("agent-1");
    EXPECT_EQ(h.primary_mac, "02:00:00:00:00:01");
    EXPECT_EQ(h.os_version, "Ubuntu 22.4.0");
    EXPECT_EQ(h.build, "22.04");
    EXPECT_EQ(h.cpu_brand, "Test CPU");
    EXPECT_EQ(h.cpu_logical_cores, 8);
    EXPECT_EQ(h.memory, 17179869184);
    EXPECT_EQ(h.hardware_vendor, "Acme");
    EXPECT_EQ(h.distributed_interval, 10);
    EXPECT_EQ(h.config_tls_refresh, 60);
    EXPECT_EQ(h.logger_tls_period, 10);
    EXPECT_EQ(h.uptime_ns, 3600LL * 1'000'000'000);
    EXPECT_EQ(h.detail_updated_at, srv_->now());
    EXPECT_EQ(h.label_updated_at, srv_->now());

    // Answered: nothing is due until the interval passes.
    auto second = a->read();
    EXPECT_EQ(second.json(), bj::parse(R"({"queries":{}})"));
    srv_->advance(std::chrono::hours(1) + std::chrono::minutes(7)); // past 1 h + 10% jitter
    auto later = names(a->read());
    EXPECT_TRUE(has(later, "fleet_detail_query_os_version"));
    EXPECT_TRUE(has(later, "fleet_label_query_6"));

    // Logs go to the NDJSON files.
    ASSERT_EQ(
        a->log("result", bj::array{bj::object{{"name", "pack/p/q"}, {"hostIdentifier", "agent-1"}},
                                   bj::object{{"name", "pack/p/q2"}}})
            .status,
        200);
    ASSERT_EQ(
        a->log("status", bj::array{bj::object{{"severity", "0"}, {"message", "hello"}}}).status,
        200);
    auto lines_of = [](const std::string& path) {
        std::vector<std::string> out;
        std::ifstream in(path);
        for (std::string l; std::getline(in, l);)
            out.push_back(l);
        return out;
    };
    ASSERT_TRUE(eventually([&] { return lines_of(srv_->logs().result_path).size() == 2; }));
    EXPECT_EQ(bj::parse(lines_of(srv_->logs().result_path)[0]),
              bj::parse(R"({"name":"pack/p/q","hostIdentifier":"agent-1"})"));
    ASSERT_TRUE(eventually([&] { return lines_of(srv_->logs().status_path).size() == 1; }));
    EXPECT_EQ(bj::parse(lines_of(srv_->logs().status_path)[0]).at("message"), "hello");
}

TEST_P(agent_test, a_darwin_host_joins_macos_and_not_ubuntu) {
    agent_identity mac;
    mac.host_identifier = "mac-1";
    mac.hostname = "mac-1.local";
    mac.platform = "darwin";
    mac.os_name = "macOS";
    auto a = agent(mac);
    ASSERT_EQ(a->enroll(secret_), 200);
    a->check_in();
    const auto id = stored_host("mac-1").id;
    EXPECT_TRUE(eventually([&] {
        return *inspect_->host_label_ids(id) == std::vector<std::int64_t>{6, 7};
    })) << ::testing::PrintToString(*inspect_->host_label_ids(id));
}

TEST_P(agent_test, accelerate_until_hostname_and_platform_are_known) {
    auto a = agent();
    ASSERT_EQ(a->enroll(secret_, /*with_details=*/false), 200);
    auto first = a->read();
    EXPECT_EQ(first.json().at("accelerate"), 10);
    ASSERT_EQ(a->answer(first.json().at("queries").as_object()).status, 200);
    ASSERT_TRUE(eventually([&] { return !a->read().json().as_object().contains("accelerate"); }));
    EXPECT_EQ(stored_host("agent-1").hostname, "agent-1.local");
}

TEST_P(agent_test, policies_pass_fail_or_are_unknown) {
    ASSERT_EQ(admin_post("/api/v1/fleet/spec/teams", R"({"specs":[{"name":"blue"}]})").status, 200);
    ASSERT_EQ(admin_post("/api/v1/fleet/spec/policies", R"({"specs":[
        {"name":"passes","query":"SELECT 1 FROM os_version"},
        {"name":"fails","query":"SELECT 1 WHERE 'NO_ROWS' = 'x'"},
        {"name":"errors","query":"SELECT * FROM FAILS_ON_PURPOSE"},
        {"name":"mac only","query":"SELECT 1","platform":"darwin"},
        {"name":"linux only","query":"SELECT 1","platform":"linux,windows"},
        {"name":"team only","query":"SELECT 1","team":"blue"}]})")
                  .status,
              200);
    auto id_of = [&](const char* name) { return inspect_->policy_by_name(name)->id; };
    auto a = agent();
    ASSERT_EQ(a->enroll(secret_), 200);
    // The catalogue is reloaded in the background; wait until the policies are asked.
    std::vector<std::string> asked;
    ASSERT_TRUE(eventually([&] {
        auto r = a->read();
        asked = names(r);
        if (!has(asked, "fleet_policy_query_" + std::to_string(id_of("passes"))))
            return false;
        return a->answer(r.json().at("queries").as_object()).status == 200;
    }));
    EXPECT_FALSE(has(asked, "fleet_policy_query_" + std::to_string(id_of("mac only"))));
    EXPECT_FALSE(has(asked, "fleet_policy_query_" + std::to_string(id_of("team only"))));
    EXPECT_TRUE(has(asked, "fleet_policy_query_" + std::to_string(id_of("linux only"))));
    const auto host_id = stored_host("agent-1").id;
    std::vector<storage::policy_result> want = {{id_of("passes"), true},
                                                {id_of("fails"), false},
                                                {id_of("errors"), std::nullopt},
                                                {id_of("linux only"), true}};
    ASSERT_TRUE(eventually([&] { return inspect_->host_policy_results(host_id)->size() == 4; }));
    auto got = *inspect_->host_policy_results(host_id);
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].policy_id, want[i].policy_id);
        EXPECT_EQ(got[i].passes, want[i].passes) << i;
    }
}

TEST_P(agent_test, reenrolling_keeps_the_host_with_a_new_node_key) {
    auto a = agent();
    ASSERT_EQ(a->enroll(secret_), 200);
    const auto first_key = a->node_key();
    const auto id = stored_host("agent-1").id;
    ASSERT_EQ(a->enroll(secret_), 200);
    EXPECT_NE(a->node_key(), first_key);
    EXPECT_EQ(stored_host("agent-1").id, id);
    EXPECT_EQ(inspect_->list_hosts()->size(), 1u);
    EXPECT_EQ(a->read().status, 200);
    auto old = agent();
    old->set_node_key(first_key);
    auto r = old->read();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json(), bj::parse(R"({"error":"authentication error: invalid node key: )" +
                                  first_key + R"(","node_invalid":true})"));
}

TEST_P(agent_test, bad_keys_secrets_and_bodies_are_rejected) {
    auto post = [&](const std::string& path, const std::string& body, header_list h = {}) {
        return http_once(srv_->port(), "POST", path, body, h);
    };
    for (const char* path :
         {"/api/v1/osquery/config", "/api/v1/osquery/distributed/read",
          "/api/v1/osquery/distributed/write", "/api/osquery/distributed/read"}) {
        auto missing = post(path, "{}");
        EXPECT_EQ(missing.status, 401) << path;
        EXPECT_EQ(
            missing.json(),
            bj::parse(R"({"error":"authentication error: missing node key","node_invalid":true})"));
        auto unknown = post(path, R"({"node_key":"nope"})");
        EXPECT_EQ(unknown.status, 401) << path;
        EXPECT_EQ(unknown.json().at("node_invalid"), true);
        EXPECT_EQ(post(path, "{").status, 400) << path;
        EXPECT_EQ(post(path, R"({"node_key":5})").status, 400) << path;
    }
    auto bad_secret =
        post("/api/v1/osquery/enroll", R"({"enroll_secret":"wrong","host_identifier":"x"})");
    EXPECT_EQ(bad_secret.status, 401);
    EXPECT_EQ(
        bad_secret.json(),
        bj::parse(R"({"error":"enroll failed: no matching secret found","node_invalid":true})"));
    auto no_id = post("/api/v1/osquery/enroll", R"({"enroll_secret":")" + secret_ + R"("})");
    EXPECT_EQ(no_id.status, 401);
    EXPECT_EQ(no_id.json().at("error"), "save enroll failed: missing osquery host identifier");
    EXPECT_EQ(post("/api/v1/osquery/enroll", R"({"enroll_secret":1})").status, 400);
    EXPECT_TRUE(inspect_->list_hosts()->empty());

    auto a = agent();
    ASSERT_EQ(a->enroll(secret_), 200);
    const std::string key = a->node_key();
    EXPECT_EQ(
        post("/api/v1/osquery/log", R"({"node_key":")" + key + R"(","log_type":"nope","data":[]})")
            .status,
        400);
    EXPECT_EQ(post("/api/v1/osquery/log",
                   R"({"node_key":")" + key + R"(","log_type":"result","data":{}})")
                  .status,
              400);
    EXPECT_EQ(post("/api/v1/osquery/distributed/write",
                   R"({"node_key":")" + key + R"(","queries":{"q":[]},"statuses":{"q":"x"}})")
                  .status,
              400);
    EXPECT_EQ(
        post("/api/v1/osquery/distributed/write", R"({"node_key":")" + key + R"(","queries":[]})")
            .status,
        400);
    EXPECT_EQ(post("/api/v1/osquery/log", "not gzip", {{"Content-Encoding", "gzip"}}).status, 400);
    // Unknown result names are accepted (and ignored), as Fleet.
    EXPECT_EQ(post("/api/v1/osquery/distributed/write",
                   R"({"node_key":")" + key +
                       R"(","queries":{"mystery":[{"a":"b"}]},"statuses":{"mystery":"0"}})")
                  .status,
              200);
}

TEST_P(agent_test, a_team_secret_gives_the_teams_options_and_packs) {
    ASSERT_EQ(admin_post("/api/v1/fleet/spec/teams", R"({"specs":[{"name":"blue",
        "agent_options":{"config":{"options":{"distributed_interval":33}},
                         "overrides":{"platforms":{"darwin":{"options":{"distributed_interval":44}}}}},
        "secrets":[{"secret":"blue-secret"}]}]})")
                  .status,
              200);
    ASSERT_EQ(
        admin_post("/api/v1/fleet/spec/queries", R"({"specs":[{"name":"q1","query":"SELECT 1"},
        {"name":"q2","query":"SELECT 2"}]})")
            .status,
        200);
    ASSERT_EQ(admin_post("/api/v1/fleet/spec/packs", R"({"specs":[
        {"name":"team_pack","targets":{"teams":["blue"]},"queries":[{"query":"q1","interval":60,"snapshot":true}]},
        {"name":"ubuntu_pack","targets":{"labels":["Ubuntu Linux"]},"queries":[{"query":"q2","name":"second","interval":120,"platform":"linux"}]},
        {"name":"off_pack","disabled":true,"targets":{"labels":["All Hosts"]},"queries":[{"query":"q1","interval":5}]}]})")
                  .status,
              200);
    auto a = agent();
    ASSERT_EQ(a->enroll("blue-secret"), 200);
    EXPECT_EQ(stored_host("agent-1").team_id, inspect_->team_by_name("blue")->id);
    auto cfg = a->config();
    ASSERT_EQ(cfg.status, 200) << cfg.body;
    EXPECT_EQ(cfg.json(), bj::parse(R"({"options":{"distributed_interval":33},
        "packs":{"team_pack":{"queries":{"q1":{"query":"SELECT 1","interval":60,"snapshot":true}}}}})"));
    a->check_in(); // joins Ubuntu Linux
    ASSERT_TRUE(eventually(
        [&] { return a->config().json().at("packs").as_object().contains("ubuntu_pack"); }));
    EXPECT_EQ(
        a->config().json().at("packs").at("ubuntu_pack"),
        bj::parse(
            R"({"queries":{"second":{"query":"SELECT 2","interval":120,"platform":"linux"}}})"));
    EXPECT_FALSE(a->config().json().at("packs").as_object().contains("off_pack"));

    agent_identity mac;
    mac.host_identifier = "mac-1";
    mac.platform = "darwin";
    auto m = agent(mac);
    ASSERT_EQ(m->enroll("blue-secret"), 200);
    EXPECT_EQ(m->config().json().at("options").at("distributed_interval"), 44); // platform override
}

TEST_P(agent_test, seen_times_are_written_in_batches) {
    auto a = agent();
    ASSERT_EQ(a->enroll(secret_), 200);
    const micros enrolled = srv_->now();
    EXPECT_EQ(stored_host("agent-1").seen_time, enrolled);
    srv_->advance(100s);
    ASSERT_EQ(a->read().status, 200);
    EXPECT_TRUE(
        eventually([&] { return stored_host("agent-1").seen_time == enrolled + 100'000'000; }));
    srv_->advance(50s);
    ASSERT_EQ(a->log("status", bj::array{}).status, 200);
    EXPECT_TRUE(
        eventually([&] { return stored_host("agent-1").seen_time == enrolled + 150'000'000; }));
}

TEST_P(agent_test, seen_times_are_written_in_chunks_one_after_another) {
    server_options o;
    o.checkin.seen_chunk_rows = 2; // five hosts: three chunks a flush
    start(o);
    std::vector<std::unique_ptr<simulated_agent>> agents;
    for (int i = 0; i < 5; ++i) {
        agent_identity id;
        id.host_identifier = "chunk-" + std::to_string(i);
        agents.push_back(agent(id));
        ASSERT_EQ(agents.back()->enroll(secret_), 200);
    }
    const micros later = srv_->now() + 100'000'000;
    srv_->advance(100s);
    for (auto& a : agents)
        ASSERT_EQ(a->read().status, 200);
    for (int i = 0; i < 5; ++i)
        EXPECT_TRUE(eventually([&] {
            return stored_host("chunk-" + std::to_string(i)).seen_time == later;
        })) << i;
}

TEST_P(agent_test, an_unwritable_log_file_is_counted_not_fatal) {
    server_options o;
    o.logs = {"/nonexistent-dir/osquery_result", "/nonexistent-dir/osquery_status"};
    start(o);
    auto a = agent();
    ASSERT_EQ(a->enroll(secret_), 200);
    EXPECT_EQ(a->log("result", bj::array{bj::object{{"x", 1}}}).status, 200);
    EXPECT_EQ(a->log("status", bj::array{bj::object{{"x", 1}}}).status, 200);
    EXPECT_TRUE(eventually([&] { return srv_->log_counters().write_failures == 2; }));
    EXPECT_EQ(srv_->log_counters().lines_written, 0u);
    EXPECT_EQ(a->read().status, 200); // still serving
}

INSTANTIATE_TEST_SUITE_P(backends, agent_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
