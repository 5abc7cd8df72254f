/// The hosts REST routes end to end, on both stores: list filters, paging and
/// order, count, summary, one host (by id and by identifier), a label's hosts,
/// who sees which hosts, and deletion (the agent is refused at once).

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

agent_identity identity(int n, const std::string& platform) {
    agent_identity id;
    id.host_identifier = "agent-" + std::to_string(n);
    id.hostname = "host-" + std::to_string(n) + ".local";
    id.uuid = "00000000-0000-0000-0000-00000000000" + std::to_string(n);
    id.platform = platform;
    id.os_name = platform == "darwin" ? "macOS" : "Ubuntu";
    id.ip = "10.0.0." + std::to_string(n);
    return id;
}

class hosts_test : public served_test {
protected:
    void SetUp() override {
        serve();
        token_ = srv_->setup();
        inspect_ = db_->open();
        const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
        int n = 0;
        for (const char* platform : {"ubuntu", "ubuntu", "darwin"}) {
            ++n;
            agents_.push_back(std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(),
                                                                identity(n, platform)));
            ASSERT_EQ(agents_.back()->enroll(secret), 200);
        }
        auto hosts = inspect_->list_hosts();
        ASSERT_TRUE(hosts);
        for (const auto& h : *hosts)
            ids_[h.osquery_host_id] = h.id;
    }
    http_reply call(const std::string& method, const std::string& path,
                    const std::string& token = "") {
        return http_once(srv_->port(), method, path, "",
                         {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    }
    static std::vector<std::string> hostnames(const http_reply& r) {
        std::vector<std::string> out;
        const auto j = r.json();
        for (const auto& h : j.at("hosts").as_array())
            out.emplace_back(h.at("hostname").as_string());
        return out;
    }
    using names = std::vector<std::string>;

    std::string token_;
    std::unique_ptr<storage::store> inspect_;
    std::vector<std::unique_ptr<simulated_agent>> agents_;
    std::map<std::string, std::int64_t> ids_;
};

} // namespace

TEST_P(hosts_test, the_list_has_fleets_host_objects_with_status_and_team) {
    auto r = call("GET", "/api/v1/fleet/hosts");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = r.json();
    const auto& hosts = j.at("hosts").as_array();
    ASSERT_EQ(hosts.size(), 3u);
    const auto& h = hosts[0].as_object();
    EXPECT_EQ(h.at("id"), ids_["agent-1"]);
    EXPECT_EQ(h.at("hostname"), "host-1.local");
    EXPECT_EQ(h.at("display_text"), "host-1.local");
    EXPECT_EQ(h.at("uuid"), "00000000-0000-0000-0000-000000000001");
    EXPECT_EQ(h.at("platform"), "ubuntu");
    EXPECT_EQ(h.at("status"), "online");
    EXPECT_EQ(h.at("team_id"), nullptr);
    EXPECT_EQ(h.at("team_name"), nullptr);
    EXPECT_EQ(h.at("issues").at("failing_policies_count"), 0);
    EXPECT_TRUE(h.contains("seen_time"));
    EXPECT_EQ(call("GET", "/api/latest/fleet/hosts").status, 200);
    EXPECT_EQ(http_once(srv_->port(), "GET", "/api/v1/fleet/hosts").status, 401);
}

TEST_P(hosts_test, filters_order_and_paging) {
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts?query=host-2")), names{"host-2.local"});
    agents_[2]->check_in(); // reports its network interfaces: the primary IP
    EXPECT_TRUE(eventually(
        [&] {
            return hostnames(call("GET", "/api/v1/fleet/hosts?query=10.0.0.3")) ==
                   names{"host-3.local"};
        },
        10s, "a host matched by its primary IP"));
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts?order_key=hostname&order_direction=desc")),
              (names{"host-3.local", "host-2.local", "host-1.local"}));
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts?page=1&per_page=2")),
              names{"host-3.local"});
    EXPECT_TRUE(hostnames(call("GET", "/api/v1/fleet/hosts?page=5&per_page=2")).empty());
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts?status=new")).size(), 3u);
    EXPECT_TRUE(hostnames(call("GET", "/api/v1/fleet/hosts?status=offline")).empty());
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/count?query=host-").json(),
              (bj::object{{"count", 3}}));
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/count?status=mia").json(),
              (bj::object{{"count", 0}}));
    for (const char* bad : {"/api/v1/fleet/hosts?status=asleep", "/api/v1/fleet/hosts?per_page=0",
                            "/api/v1/fleet/hosts?page=-1", "/api/v1/fleet/hosts?order_direction=up",
                            "/api/v1/fleet/hosts?order_key=nope", "/api/v1/fleet/hosts?team_id=x",
                            "/api/v1/fleet/hosts/count?label_id=1.5"}) {
        auto r = call("GET", bad);
        EXPECT_EQ(r.status, 400) << bad << " " << r.body;
        EXPECT_EQ(r.json().at("message"), "Bad request") << bad;
    }
    // Two hours later nobody has checked in: all offline.
    srv_->advance(std::chrono::hours(2));
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts?status=offline")).size(), 3u);
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts?status=online")).size(), 0u);
}

TEST_P(hosts_test, summary_counts_statuses_and_platforms) {
    auto r = call("GET", "/api/v1/fleet/host_summary");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::parse(R"({"team_id":null,"totals_hosts_count":3,
        "platforms":[{"platform":"darwin","hosts_count":1},{"platform":"ubuntu","hosts_count":2}],
        "online_count":3,"offline_count":0,"mia_count":0,"new_count":3})"));
    const auto blue = make_team(*inspect_, "blue");
    auto h = inspect_->host_by_id(ids_["agent-3"]);
    h->team_id = blue;
    ASSERT_TRUE(inspect_->update_host(*h));
    auto team = call("GET", "/api/v1/fleet/host_summary?team_id=" + std::to_string(blue));
    EXPECT_EQ(team.json().at("team_id"), blue);
    EXPECT_EQ(team.json().at("totals_hosts_count"), 1);
}

TEST_P(hosts_test, one_host_by_id_or_identifier_with_labels_and_policies) {
    ASSERT_EQ(call("GET", "/api/v1/fleet/hosts/" + std::to_string(ids_["agent-1"])).status, 200);
    agents_[0]->check_in(); // answers the label queries
    const auto id = std::to_string(ids_["agent-1"]);
    EXPECT_TRUE(eventually(
        [&] {
            const auto j = call("GET", "/api/v1/fleet/hosts/" + id).json();
            for (const auto& l : j.at("host").at("labels").as_array())
                if (l.at("name") == "All Hosts")
                    return l.at("label_type") == "builtin";
            return false;
        },
        10s, "the host's labels include All Hosts"));
    const auto j = call("GET", "/api/v1/fleet/hosts/" + id).json();
    const auto& h = j.at("host").as_object();
    EXPECT_EQ(h.at("hostname"), "host-1.local");
    EXPECT_TRUE(h.at("policies").is_array());
    EXPECT_TRUE(h.at("packs").is_array());
    for (const std::string& ident :
         std::vector<std::string>{"host-1.local", "00000000-0000-0000-0000-000000000001", "agent-1",
                                  agents_[0]->node_key()}) {
        std::string escaped; // node keys are base64: '/' and '+' are percent-encoded
        for (char c : ident)
            escaped += c == '/' ? "%2F" : c == '+' ? "%2B" : c == '=' ? "%3D" : std::string(1, c);
        auto by = call("GET", "/api/v1/fleet/hosts/identifier/" + escaped);
        ASSERT_EQ(by.status, 200) << ident << " " << by.body;
        EXPECT_EQ(by.json().at("host").at("id"), ids_["agent-1"]) << ident;
    }
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/identifier/nobody").status, 404);
    auto missing = call("GET", "/api/v1/fleet/hosts/424242");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.json().at("message"), "Resource Not Found");
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/abc").status, 400);
    // A label's hosts; an unknown label lists none.
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/labels/6/hosts")), // All Hosts
              (names{"host-1.local", "host-2.local", "host-3.local"}));
    auto none = call("GET", "/api/v1/fleet/labels/424242/hosts");
    ASSERT_EQ(none.status, 200) << none.body;
    EXPECT_TRUE(none.json().at("hosts").as_array().empty());
}

TEST_P(hosts_test, the_configured_intervals_set_the_online_window_of_a_host_without_flags) {
    // A host that has not reported its osquery flags: the agent options decide.
    const auto team = make_team(*inspect_, "slow");
    const auto global_host =
        *inspect_->new_host_for_test("quiet-1", "quiet-1", std::nullopt, srv_->now());
    const auto team_host = *inspect_->new_host_for_test("quiet-2", "quiet-2", team, srv_->now());
    auto send = [&](const std::string& method, const std::string& path, const std::string& body) {
        return http_once(srv_->port(), method, path, body, {{"Authorization", "Bearer " + token_}});
    };
    auto status = [&](std::int64_t id) {
        auto r = call("GET", "/api/v1/fleet/hosts/" + std::to_string(id));
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(r.json().at("host").at("status").as_string());
    };
    ASSERT_EQ(send("PATCH", "/api/v1/fleet/config",
                   R"({"agent_options":{"config":{"options":{"distributed_interval":600,
                       "config_tls_refresh":900}}}})")
                  .status,
              200);
    ASSERT_EQ(send("POST", "/api/v1/fleet/spec/teams",
                   R"({"specs":[{"name":"slow","agent_options":{"config":{"options":{
                       "distributed_interval":3600}}}}]})")
                  .status,
              200);
    srv_->advance(std::chrono::seconds(300));
    EXPECT_EQ(status(global_host), "online") << "seen 300 s ago, window 600 + 60 s";
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/" + std::to_string(global_host))
                  .json()
                  .at("host")
                  .at("distributed_interval"),
              600);
    srv_->advance(std::chrono::seconds(400));
    EXPECT_EQ(status(global_host), "offline") << "seen 700 s ago";
    EXPECT_EQ(status(team_host), "online") << "its team's 3600 s";
    // A shorter configured interval narrows the window at once.
    ASSERT_EQ(send("PATCH", "/api/v1/fleet/config",
                   R"({"agent_options":{"config":{"options":{"distributed_interval":10}}}})")
                  .status,
              200);
    ASSERT_EQ(send("POST", "/api/v1/fleet/spec/teams",
                   R"({"specs":[{"name":"slow","agent_options":{"config":{"options":{
                       "distributed_interval":10}}}}]})")
                  .status,
              200);
    EXPECT_EQ(status(team_host), "offline");
    EXPECT_EQ(
        call("GET", "/api/v1/fleet/hosts/count?status=offline&query=quiet").json().at("count"), 2);
}

TEST_P(hosts_test, team_users_see_their_teams_hosts_only) {
    const auto blue = make_team(*inspect_, "blue");
    auto h = inspect_->host_by_id(ids_["agent-3"]);
    h->team_id = blue;
    ASSERT_TRUE(inspect_->update_host(*h));
    const auto member =
        make_user_with_token(*inspect_, "tb@example.com", std::nullopt, {{blue, role::observer}});
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts", member)), names{"host-3.local"});
    auto mine = call("GET", "/api/v1/fleet/hosts/" + std::to_string(ids_["agent-3"]), member);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(mine.json().at("host").at("team_name"), "blue");
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/" + std::to_string(ids_["agent-1"]), member).status,
              403);
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/count", member).json().at("count"), 1);
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts?team_id=" + std::to_string(blue))),
              names{"host-3.local"});
}

TEST_P(hosts_test, a_deleted_host_is_gone_and_its_agent_refused_at_once) {
    const auto id = std::to_string(ids_["agent-2"]);
    const auto observer = make_user_with_token(*inspect_, "o@example.com", role::observer);
    EXPECT_EQ(call("DELETE", "/api/v1/fleet/hosts/" + id, observer).status, 403);
    EXPECT_EQ(agents_[1]->read().status, 200);
    auto r = call("DELETE", "/api/v1/fleet/hosts/" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::object{});
    EXPECT_EQ(call("GET", "/api/v1/fleet/hosts/" + id).status, 404);
    EXPECT_FALSE(inspect_->host_by_id(ids_["agent-2"]));
    auto refused = agents_[1]->read();
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_EQ(refused.json().at("node_invalid"), true);
    EXPECT_EQ(call("DELETE", "/api/v1/fleet/hosts/" + id).status, 404);
    EXPECT_EQ(hostnames(call("GET", "/api/v1/fleet/hosts")),
              (names{"host-1.local", "host-3.local"}));
}

TEST_P(hosts_test, targets_search_hosts_labels_and_teams_and_count_the_selection) {
    auto post = [&](const std::string& path, const std::string& body,
                    const std::string& token = "") {
        return http_once(srv_->port(), "POST", path, body,
                         {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    };
    const auto one = std::to_string(ids_["agent-1"]);
    auto r = post("/api/v1/fleet/targets", R"({"query":"host-","selected":{"hosts":[)" + one +
                                               R"(],"labels":[],"teams":[]}})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    std::vector<std::string> suggested;
    for (const auto& h : j.at("targets").at("hosts").as_array()) {
        suggested.emplace_back(h.at("hostname").as_string());
        EXPECT_EQ(h.at("display_text"), h.at("hostname"));
        EXPECT_EQ(h.at("status"), "online");
    }
    EXPECT_EQ(suggested, (names{"host-2.local", "host-3.local"})); // the selected one left out
    EXPECT_TRUE(j.at("targets").at("labels").as_array().empty());
    EXPECT_EQ(j.at("targets_count"), 1);
    EXPECT_EQ(j.at("targets_online"), 1);
    EXPECT_EQ(j.at("targets_offline"), 0);
    EXPECT_EQ(j.at("targets_missing_in_action"), 0);

    const auto blue = make_team(*inspect_, "blue");
    auto h = inspect_->host_by_id(ids_["agent-3"]);
    h->team_id = blue;
    ASSERT_TRUE(inspect_->update_host(*h));
    auto labels = post("/api/latest/fleet/targets",
                       R"({"query":"l","selected":{"hosts":[],"labels":[],"teams":[]}})");
    ASSERT_EQ(labels.status, 200) << labels.body;
    j = labels.json();
    bool all_hosts = false;
    for (const auto& l : j.at("targets").at("labels").as_array())
        if (l.at("name") == "All Hosts") {
            all_hosts = true;
            EXPECT_EQ(l.at("count"), 3);
            EXPECT_EQ(l.at("display_text"), "All Hosts");
            EXPECT_EQ(l.at("label_type"), "builtin");
        }
    EXPECT_TRUE(all_hosts) << labels.body;
    ASSERT_EQ(j.at("targets").at("teams").as_array().size(), 1u); // "blue"
    EXPECT_EQ(j.at("targets").at("teams").at(0).at("count"), 1);
    EXPECT_EQ(j.at("targets_count"), 0);

    auto count =
        post("/api/v1/fleet/targets/count", R"({"selected":{"hosts":[],"labels":[6],"teams":[]}})");
    ASSERT_EQ(count.status, 200) << count.body;
    EXPECT_EQ(count.json(), bj::parse(R"({"targets_count":3,"targets_online":3,
        "targets_offline":0,"targets_missing_in_action":0})"));
    // A team member counts and finds only the team's hosts.
    const auto member =
        make_user_with_token(*inspect_, "tb@example.com", std::nullopt, {{blue, role::observer}});
    EXPECT_EQ(post("/api/v1/fleet/targets/count",
                   R"({"selected":{"hosts":[],"labels":[6],"teams":[]}})", member)
                  .json()
                  .at("targets_count"),
              1);
    auto mine = post("/api/v1/fleet/targets", R"({"query":"","selected":{}})", member);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(mine.json().at("targets").at("hosts").as_array().size(), 1u);
    EXPECT_EQ(post("/api/v1/fleet/targets", "{bad").status, 400);
    EXPECT_EQ(post("/api/v1/fleet/targets", R"({"selected":{"hosts":["x"]}})").status, 400);
}

INSTANTIATE_TEST_SUITE_P(backends, hosts_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
