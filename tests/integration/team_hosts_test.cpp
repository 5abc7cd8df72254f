/// Hosts and teams end to end on both stores: moving hosts between teams
/// (fleet-rest.md §4.2 transfer and transfer/filter) reaches the host registry
/// before the answer, so the very next agent request is served for the new
/// team; and a host's detail lists the packs in its config and its team's
/// policies after the global ones.

#include "model/user.hpp"
#include "tests/support/agent.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

agent_identity identity(int n) {
    agent_identity id;
    id.host_identifier = "agent-" + std::to_string(n);
    id.hostname = "host-" + std::to_string(n) + ".local";
    id.uuid = "00000000-0000-0000-0000-00000000000" + std::to_string(n);
    return id;
}

class team_hosts_test : public served_test {
protected:
    void SetUp() override {
        serve();
        admin_ = srv_->setup();
        inspect_ = db_->open();
        ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/teams", R"({"specs":[
            {"name":"blue","agent_options":{"config":{"options":{"distributed_interval":11}}}},
            {"name":"red","agent_options":{"config":{"options":{"distributed_interval":22}}}}]})")
                      .status,
                  200);
        blue_ = inspect_->team_by_name("blue")->id;
        red_ = inspect_->team_by_name("red")->id;
        const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
        for (int n = 1; n <= 3; ++n) {
            agents_.push_back(
                std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(), identity(n)));
            ASSERT_EQ(agents_.back()->enroll(secret), 200);
        }
        auto hosts = inspect_->list_hosts();
        ASSERT_TRUE(hosts);
        for (const auto& h : *hosts)
            ids_.push_back(h.id);
        global_options_ = options_of(*agents_[0]);
    }
    http_reply as(const std::string& token, const std::string& method, const std::string& path,
                  const std::string& body = "") {
        return http_once(srv_->port(), method, path, body, {{"Authorization", "Bearer " + token}});
    }
    http_reply as_admin(const std::string& method, const std::string& path,
                        const std::string& body = "") {
        return as(admin_, method, path, body);
    }
    static bj::value options_of(simulated_agent& a) {
        auto r = a.config();
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json().at("options");
    }
    static bj::value interval(int seconds) { return bj::object{{"distributed_interval", seconds}}; }
    std::optional<std::int64_t> team_of(std::size_t i) {
        return inspect_->host_by_id(ids_[i])->team_id;
    }
    std::string transfer(const std::string& team, std::vector<std::int64_t> hosts) {
        bj::array a;
        for (auto h : hosts)
            a.push_back(h);
        return R"({"team_id":)" + team + R"(,"hosts":)" + bj::serialize(a) + "}";
    }

    std::string admin_;
    std::unique_ptr<storage::store> inspect_;
    std::int64_t blue_ = 0, red_ = 0;
    std::vector<std::unique_ptr<simulated_agent>> agents_;
    std::vector<std::int64_t> ids_;
    bj::value global_options_;
};

} // namespace

TEST_P(team_hosts_test, a_transfer_serves_the_new_teams_config_at_the_next_request) {
    const auto blue = std::to_string(blue_);
    auto r = as_admin("POST", "/api/v1/fleet/hosts/transfer",
                      transfer(blue, {ids_[0], ids_[1], 424242}));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::object{});
    // No wait: the answer came after the registry had the new team.
    EXPECT_EQ(options_of(*agents_[0]), interval(11));
    EXPECT_EQ(options_of(*agents_[1]), interval(11));
    EXPECT_EQ(options_of(*agents_[2]), global_options_);
    EXPECT_EQ(team_of(0), blue_);
    EXPECT_EQ(team_of(2), std::nullopt);
    auto listed = as_admin("GET", "/api/v1/fleet/hosts?team_id=" + blue);
    EXPECT_EQ(listed.json().at("hosts").as_array().size(), 2u);
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/teams/" + blue).json().at("team").at("host_count"), 2);

    // current Fleet's fleet_id; then back to no team.
    ASSERT_EQ(as_admin("POST", "/api/latest/fleet/hosts/transfer",
                       R"({"fleet_id":)" + std::to_string(red_) + R"(,"hosts":[)" +
                           std::to_string(ids_[0]) + "]}")
                  .status,
              200);
    EXPECT_EQ(options_of(*agents_[0]), interval(22));
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/hosts/transfer", transfer("null", {ids_[0], ids_[1]}))
                  .status,
              200);
    EXPECT_EQ(options_of(*agents_[0]), global_options_);
    EXPECT_EQ(options_of(*agents_[1]), global_options_);
    EXPECT_EQ(team_of(1), std::nullopt);

    // An unknown team is a validation error, and nothing moves.
    auto unknown = as_admin("POST", "/api/v1/fleet/hosts/transfer", transfer("424242", {ids_[0]}));
    EXPECT_EQ(unknown.status, 422) << unknown.body;
    EXPECT_EQ(unknown.json().at("errors").at(0).at("name"), "team_id");
    EXPECT_EQ(team_of(0), std::nullopt);
    for (const char* bad : {R"({"team_id":"1","hosts":[]})", R"({"hosts":[1.5]})",
                            R"({"hosts":{}})", R"({"team_id":1,"fleet_id":2,"hosts":[]})", "[]"})
        EXPECT_EQ(as_admin("POST", "/api/v1/fleet/hosts/transfer", bad).status, 400) << bad;
}

TEST_P(team_hosts_test, who_may_transfer_hosts) {
    const auto maintainer = make_user_with_token(*inspect_, "m@example.com", role::maintainer);
    const auto observer = make_user_with_token(*inspect_, "o@example.com", role::observer);
    const auto team_admin =
        make_user_with_token(*inspect_, "ta@example.com", std::nullopt, {{blue_, role::admin}});
    const auto body = transfer(std::to_string(blue_), {ids_[0]});
    const auto filter = R"({"team_id":)" + std::to_string(blue_) + R"(,"filters":{}})";
    for (const auto& token : {observer, team_admin}) {
        EXPECT_EQ(as(token, "POST", "/api/v1/fleet/hosts/transfer", body).status, 403);
        EXPECT_EQ(as(token, "POST", "/api/v1/fleet/hosts/transfer/filter", filter).status, 403);
    }
    EXPECT_EQ(team_of(0), std::nullopt);
    EXPECT_EQ(as(maintainer, "POST", "/api/v1/fleet/hosts/transfer", body).status, 200);
    EXPECT_EQ(team_of(0), blue_);
    EXPECT_EQ(http_once(srv_->port(), "POST", "/api/v1/fleet/hosts/transfer", body).status, 401);
}

TEST_P(team_hosts_test, a_transfer_by_filter_moves_the_matching_hosts) {
    const auto red = std::to_string(red_);
    auto r = as_admin("POST", "/api/v1/fleet/hosts/transfer/filter",
                      R"({"team_id":)" + red + R"(,"filters":{"query":"host-2"}})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::object{});
    EXPECT_EQ(options_of(*agents_[1]), interval(22));
    EXPECT_EQ(team_of(1), red_);
    EXPECT_EQ(team_of(0), std::nullopt);
    // Every host of a label (6: All Hosts), with current Fleet's fleet_id.
    ASSERT_EQ(as_admin("POST", "/api/latest/fleet/hosts/transfer/filter",
                       R"({"fleet_id":)" + std::to_string(blue_) +
                           R"(,"filters":{"label_id":6,"status":""}})")
                  .status,
              200);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(team_of(i), blue_) << i;
        EXPECT_EQ(options_of(*agents_[i]), interval(11)) << i;
    }
    for (const char* bad : {R"({"team_id":null})", R"({"filters":{"status":"asleep"}})",
                            R"({"filters":{"label_id":"6"}})", R"({"filters":[]})"})
        EXPECT_EQ(as_admin("POST", "/api/v1/fleet/hosts/transfer/filter", bad).status, 400) << bad;
    EXPECT_EQ(team_of(0), blue_);
}

TEST_P(team_hosts_test, a_moved_host_is_asked_its_new_teams_policies_at_once) {
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/policies", R"({"specs":[
        {"name":"blue policy","query":"SELECT 1 FROM blue","team":"blue"}]})")
                  .status,
              200);
    const auto policy =
        "fleet_policy_query_" + std::to_string(inspect_->policy_by_name("blue policy")->id);
    auto asked = agents_[0]->check_in();
    EXPECT_EQ(std::count(asked.begin(), asked.end(), policy), 0);
    ASSERT_EQ(
        as_admin("POST", "/api/v1/fleet/hosts/transfer", transfer(std::to_string(blue_), {ids_[0]}))
            .status,
        200);
    asked = agents_[0]->check_in();
    EXPECT_EQ(std::count(asked.begin(), asked.end(), policy), 1);
}

TEST_P(team_hosts_test, a_hosts_detail_lists_its_packs_and_its_teams_policies_after_the_global) {
    ASSERT_EQ(
        as_admin("POST", "/api/v1/fleet/hosts/transfer", transfer(std::to_string(blue_), {ids_[0]}))
            .status,
        200);
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/queries",
                       R"({"specs":[{"name":"q1","query":"SELECT 1"}]})")
                  .status,
              200);
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/packs", R"({"specs":[
        {"name":"blue pack","description":"for blue","targets":{"teams":["blue"]},
         "queries":[{"query":"q1","interval":60}]},
        {"name":"red pack","targets":{"teams":["red"]}},
        {"name":"everyone","platform":"linux","targets":{"labels":["All Hosts"]}}]})")
                  .status,
              200);
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/policies", R"({"specs":[
        {"name":"blue passes","query":"SELECT 1","team":"blue"},
        {"name":"global fails","query":"SELECT NO_ROWS"},
        {"name":"red policy","query":"SELECT 1","team":"red"},
        {"name":"global unanswered","query":"SELECT 2","platform":"windows"}]})")
                  .status,
              200);
    agents_[0]->check_in(); // answers its label and policy queries
    const auto detail = as_admin("GET", "/api/v1/fleet/hosts/" + std::to_string(ids_[0]));
    ASSERT_EQ(detail.status, 200) << detail.body;
    const auto h = detail.json().at("host");
    EXPECT_EQ(h.at("team_name"), "blue");
    std::vector<std::pair<std::string, std::string>> policies;
    for (const auto& p : h.at("policies").as_array())
        policies.emplace_back(p.at("name").as_string(), p.at("response").as_string());
    EXPECT_EQ(policies, (std::vector<std::pair<std::string, std::string>>{
                            {"global fails", "fail"}, {"blue passes", "pass"}}));
    std::vector<std::string> packs;
    for (const auto& p : h.at("packs").as_array())
        packs.emplace_back(p.at("name").as_string());
    EXPECT_EQ(packs, (std::vector<std::string>{"blue pack", "everyone"}));
    EXPECT_EQ(h.at("packs").at(0).at("description"), "for blue");
    EXPECT_EQ(h.at("packs").at(0).at("id"), inspect_->pack_spec_by_name("blue pack")->id);
    EXPECT_EQ(h.at("packs").at(0).at("type"), nullptr);
    EXPECT_EQ(h.at("issues").at("failing_policies_count"), 1);
    // A host with no team: the global policies only, and only the label's pack.
    const auto other = as_admin("GET", "/api/v1/fleet/hosts/" + std::to_string(ids_[1])).json();
    EXPECT_EQ(other.at("host").at("policies").as_array().size(), 1u);
    EXPECT_EQ(other.at("host").at("policies").at(0).at("response"), "");
    ASSERT_EQ(other.at("host").at("packs").as_array().size(), 1u); // All Hosts from enrollment
    EXPECT_EQ(other.at("host").at("packs").at(0).at("name"), "everyone");
    EXPECT_EQ(other.at("host").at("packs").at(0).at("platform"), "linux");
}

INSTANTIATE_TEST_SUITE_P(backends, team_hosts_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
