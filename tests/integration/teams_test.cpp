/// The teams routes end to end on both stores (fleet-rest.md §5.2, and §8.2's
/// /fleets aliases), on the free tier: creating, listing, reading, renaming and
/// deleting teams, their agent options, enroll secrets and users; who may do
/// each; the activities; and what agents see the moment a change is answered.

#include "model/user.hpp"
#include "tests/support/agent.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

class teams_test : public served_test {
protected:
    void SetUp() override {
        serve();
        admin_ = srv_->setup();
        inspect_ = db_->open();
    }
    http_reply call(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token) {
        return http_once(srv_->port(), method, path, body, {{"Authorization", "Bearer " + token}});
    }
    http_reply as_admin(const std::string& method, const std::string& path,
                        const std::string& body = "") {
        return call(method, path, body, admin_);
    }
    /// Creates a team through the API; returns its id.
    std::int64_t create(const std::string& name, const std::string& prefix = "/api/v1/fleet") {
        auto r = as_admin("POST", prefix + "/teams", R"({"name":")" + name + R"("})");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json().at("team").at("id").as_int64() : 0;
    }
    static std::string path(std::int64_t id, const std::string& rest = "") {
        return "/api/v1/fleet/teams/" + std::to_string(id) + rest;
    }
    void expect_invalid(const http_reply& r, const std::string& field) {
        EXPECT_EQ(r.status, 422) << r.body;
        if (r.status == 422) {
            EXPECT_EQ(r.json().at("errors").at(0).at("name"), bj::value(field)) << r.body;
        }
    }
    std::vector<std::string> team_names(const std::string& query, const std::string& token) {
        std::vector<std::string> out;
        auto r = call("GET", "/api/v1/fleet/teams" + query, "", token);
        EXPECT_EQ(r.status, 200) << query << " " << r.body;
        if (r.status != 200)
            return out;
        const auto body = r.json();
        for (const auto& t : body.at("teams").as_array())
            out.emplace_back(t.at("name").as_string());
        return out;
    }
    /// The newest activity.
    bj::value last_activity() {
        auto r = as_admin("GET", "/api/v1/fleet/activities?order_key=id&order_direction=desc");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json().at("activities").at(0);
    }

    std::string admin_;
    std::unique_ptr<storage::store> inspect_;
};

using names = std::vector<std::string>;

} // namespace

TEST_P(teams_test, an_admin_creates_reads_renames_and_deletes_a_team) {
    auto r = as_admin("POST", "/api/v1/fleet/teams", R"({"name":"blue","description":"Blue"})");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto t = r.json().at("team").as_object();
    const auto id = t.at("id").as_int64();
    EXPECT_EQ(t.at("name"), "blue");
    EXPECT_EQ(t.at("description"), "Blue");
    EXPECT_EQ(t.at("user_count"), 0);
    EXPECT_EQ(t.at("host_count"), 0);
    EXPECT_TRUE(t.at("created_at").is_string());
    // A copy of the global agent options, and one random enroll secret.
    const auto config = as_admin("GET", "/api/v1/fleet/config").json();
    EXPECT_EQ(t.at("agent_options"), config.at("agent_options"));
    ASSERT_EQ(t.at("secrets").as_array().size(), 1u);
    const auto secret = std::string(t.at("secrets").at(0).at("secret").as_string());
    EXPECT_EQ(secret.size(), 32u);
    EXPECT_EQ(t.at("secrets").at(0).at("team_id"), id);
    EXPECT_EQ(inspect_->enroll_secret_by_value(secret)->team_id, id);
    EXPECT_EQ(inspect_->team_by_id(id)->description, "Blue");
    auto created = last_activity();
    EXPECT_EQ(created.at("type"), "created_team");
    EXPECT_EQ(created.at("details"),
              bj::parse(R"({"team_id":)" + std::to_string(id) + R"(,"team_name":"blue"})"));

    auto one = as_admin("GET", path(id));
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.json().at("team"), t);
    auto list = as_admin("GET", "/api/v1/fleet/teams");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json().at("teams"), bj::array{t});

    auto renamed = as_admin("PATCH", path(id), R"({"name":"navy"})");
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(renamed.json().at("team").at("name"), "navy");
    EXPECT_EQ(renamed.json().at("team").at("description"), "Blue"); // unchanged
    EXPECT_EQ(inspect_->team_by_id(id)->name, "navy");
    ASSERT_EQ(as_admin("PATCH", path(id), R"({"description":""})").status, 200);
    EXPECT_EQ(inspect_->team_by_id(id)->description, "");

    auto gone = as_admin("DELETE", path(id));
    ASSERT_EQ(gone.status, 200) << gone.body;
    EXPECT_EQ(gone.json(), bj::object{});
    EXPECT_EQ(as_admin("GET", path(id)).status, 404);
    EXPECT_EQ(as_admin("DELETE", path(id)).status, 404);
    EXPECT_FALSE(inspect_->enroll_secret_by_value(secret));
    auto deleted = last_activity();
    EXPECT_EQ(deleted.at("type"), "deleted_team");
    EXPECT_EQ(deleted.at("details"),
              bj::parse(R"({"team_id":)" + std::to_string(id) + R"(,"team_name":"navy"})"));
}

TEST_P(teams_test, bad_names_and_bodies_are_refused_and_write_nothing) {
    const auto blue = create("blue");
    expect_invalid(as_admin("POST", "/api/v1/fleet/teams", R"({"name":""})"), "name");
    expect_invalid(as_admin("POST", "/api/v1/fleet/teams", R"({"name":" \t "})"), "name");
    expect_invalid(as_admin("POST", "/api/v1/fleet/teams", R"({"description":"no name"})"), "name");
    expect_invalid(
        as_admin("POST", "/api/v1/fleet/teams", R"({"name":")" + std::string(256, 'n') + R"("})"),
        "name");
    expect_invalid(as_admin("PATCH", path(blue), R"({"name":"  "})"), "name");
    for (const char* bad : {R"({"name":1})", R"({"description":[]})", "[]", "{", ""})
        EXPECT_EQ(as_admin("POST", "/api/v1/fleet/teams", bad).status, 400) << bad;
    EXPECT_EQ(as_admin("PATCH", path(blue), R"({"name":false})").status, 400);
    auto dup = as_admin("POST", "/api/v1/fleet/teams", R"({"name":"blue"})");
    EXPECT_EQ(dup.status, 409) << dup.body;
    EXPECT_EQ(dup.json().at("message"), "Resource Already Exists");
    const auto red = create("red");
    EXPECT_EQ(as_admin("PATCH", path(red), R"({"name":"blue"})").status, 409);
    EXPECT_EQ(as_admin("PATCH", path(red), R"({"name":"red"})").status, 200); // its own name
    EXPECT_EQ(as_admin("PATCH", path(424242), R"({"name":"x"})").status, 404);
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/teams/abc").status, 400);
    EXPECT_EQ(inspect_->list_teams()->size(), 2u);
    EXPECT_EQ(inspect_->team_by_id(blue)->name, "blue");
    EXPECT_EQ(inspect_->team_by_id(red)->name, "red");
}

TEST_P(teams_test, the_list_filters_orders_pages_and_shows_team_users_their_teams) {
    const auto blue = create("blue");
    create("red");
    create("green");
    EXPECT_EQ(team_names("", admin_), (names{"blue", "red", "green"}));
    EXPECT_EQ(team_names("?order_key=name", admin_), (names{"blue", "green", "red"}));
    EXPECT_EQ(team_names("?order_key=name&order_direction=desc&page=0&per_page=2", admin_),
              (names{"red", "green"}));
    EXPECT_EQ(team_names("?order_key=name&page=1&per_page=2", admin_), (names{"red"}));
    EXPECT_EQ(team_names("?query=EE", admin_), (names{"green"}));
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/teams?order_key=secret").status, 400);
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/teams?per_page=0").status, 400);
    const auto member =
        make_user_with_token(*inspect_, "o@example.com", std::nullopt, {{blue, role::observer}});
    EXPECT_EQ(team_names("", member), (names{"blue"}));
    const auto mine = call("GET", path(blue), "", member);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(mine.json().at("team").at("user_count"), 1);
    const auto global_observer = make_user_with_token(*inspect_, "g@example.com", role::observer);
    EXPECT_EQ(team_names("", global_observer), (names{"blue", "red", "green"}));
    EXPECT_EQ(call("GET", path(blue + 1), "", member).status, 403);
    EXPECT_EQ(call("GET", path(424242), "", member).status, 404);
}

TEST_P(teams_test, agent_options_replace_the_teams_and_reach_its_agents_at_once) {
    const auto blue = create("blue");
    const auto secret = inspect_->team_enroll_secrets(blue)->at(0).secret;
    simulated_agent agent(srv_->port(), srv_->client_opts(), agent_identity{});
    ASSERT_EQ(agent.enroll(secret), 200);
    EXPECT_EQ(inspect_->list_hosts()->at(0).team_id, blue);

    auto r = as_admin("POST", path(blue, "/agent_options"),
                      R"({"config":{"options":{"distributed_interval":77}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("team").at("agent_options"),
              bj::parse(R"({"config":{"options":{"distributed_interval":77}}})"));
    EXPECT_EQ(r.json().at("team").at("host_count"), 1);
    EXPECT_EQ(agent.config().json().at("options"), bj::parse(R"({"distributed_interval":77})"));
    auto edited = last_activity();
    EXPECT_EQ(edited.at("type"), "edited_agent_options");
    EXPECT_EQ(edited.at("details").at("team_id"), blue);

    for (const char* bad : {"[1]", "null", "3", R"("x")", "{"})
        EXPECT_EQ(as_admin("POST", path(blue, "/agent_options"), bad).status, 400) << bad;
    EXPECT_EQ(as_admin("POST", path(424242, "/agent_options"), "{}").status, 404);
    EXPECT_EQ(*inspect_->team_by_id(blue)->agent_options,
              bj::parse(R"({"config":{"options":{"distributed_interval":77}}})"));
}

TEST_P(teams_test, enroll_secrets_are_listed_and_replaced) {
    const auto blue = create("blue");
    const auto red = create("red");
    auto listed = as_admin("GET", path(blue, "/secrets"));
    ASSERT_EQ(listed.status, 200) << listed.body;
    ASSERT_EQ(listed.json().at("secrets").as_array().size(), 1u);
    const auto first = std::string(listed.json().at("secrets").at(0).at("secret").as_string());

    srv_->advance(60s);
    auto r = as_admin("PATCH", path(blue, "/secrets"),
                      R"({"secrets":[{"secret":")" + first +
                          R"("},{"secret":"blue-2"},{"secret":"blue-2"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto secrets = r.json().at("secrets").as_array();
    ASSERT_EQ(secrets.size(), 2u);
    for (const auto& s : secrets)
        EXPECT_EQ(s.at("team_id"), blue);
    const auto stored = *inspect_->team_enroll_secrets(blue);
    ASSERT_EQ(stored.size(), 2u);
    const auto& kept = stored[0].secret == first ? stored[0] : stored[1];
    const auto& added = stored[0].secret == first ? stored[1] : stored[0];
    EXPECT_EQ(added.secret, "blue-2");
    EXPECT_LT(kept.created_at, added.created_at); // a secret that stays keeps its created_at
    simulated_agent agent(srv_->port(), srv_->client_opts(), agent_identity{});
    ASSERT_EQ(agent.enroll("blue-2"), 200);
    EXPECT_EQ(inspect_->list_hosts()->at(0).team_id, blue);

    // Held by another team or globally: a conflict, and nothing changes.
    const auto global = inspect_->global_enroll_secrets()->at(0).secret;
    const auto red_secret = inspect_->team_enroll_secrets(red)->at(0).secret;
    for (const auto& taken : {global, red_secret}) {
        auto c = as_admin("PATCH", path(blue, "/secrets"),
                          R"({"secrets":[{"secret":"blue-3"},{"secret":")" + taken + R"("}]})");
        EXPECT_EQ(c.status, 409) << c.body;
    }
    EXPECT_EQ(inspect_->team_enroll_secrets(blue)->size(), 2u);
    expect_invalid(as_admin("PATCH", path(blue, "/secrets"), R"({"secrets":[{"secret":""}]})"),
                   "secrets");
    for (const char* bad : {"{}", R"({"secrets":{}})", R"({"secrets":[{"secret":1}]})",
                            R"({"secrets":["s"]})", R"({"secrets":[{}]})"})
        EXPECT_EQ(as_admin("PATCH", path(blue, "/secrets"), bad).status, 400) << bad;
    EXPECT_EQ(inspect_->team_enroll_secrets(blue)->size(), 2u);
    ASSERT_EQ(as_admin("PATCH", path(blue, "/secrets"), R"({"secrets":[]})").status, 200);
    EXPECT_TRUE(inspect_->team_enroll_secrets(blue)->empty());
    EXPECT_EQ(as_admin("GET", path(424242, "/secrets")).status, 404);
}

TEST_P(teams_test, team_users_are_added_changed_and_removed) {
    const auto blue = create("blue");
    const auto red = create("red");
    make_user_with_token(*inspect_, "u@example.com", std::nullopt, {{red, role::observer}});
    make_user_with_token(*inspect_, "g@example.com", role::observer);
    const auto u = inspect_->user_by_email("u@example.com")->id;
    const auto g = inspect_->user_by_email("g@example.com")->id;
    const auto users = [&](std::int64_t n) { return R"({"users":[{"id":)" + std::to_string(n); };

    auto added = as_admin("PATCH", path(blue, "/users"), users(u) + R"(,"role":"observer"}]})");
    ASSERT_EQ(added.status, 200) << added.body;
    EXPECT_EQ(added.json().at("team").at("user_count"), 1);
    EXPECT_EQ(added.json().at("team").at("name"), "blue");
    ASSERT_EQ(
        as_admin("PATCH", path(blue, "/users"), users(u) + R"(,"role":"maintainer"}]})").status,
        200);
    auto stored = inspect_->user_by_id(u)->teams;
    ASSERT_EQ(stored.size(), 2u); // red kept
    EXPECT_EQ(stored[0].team_id, blue);
    EXPECT_EQ(stored[0].team_role_value, role::maintainer);
    EXPECT_EQ(stored[1].team_id, red);

    auto listed = as_admin("GET", path(blue, "/users"));
    ASSERT_EQ(listed.status, 200) << listed.body;
    ASSERT_EQ(listed.json().at("users").as_array().size(), 1u);
    EXPECT_EQ(listed.json().at("users").at(0).at("email"), "u@example.com");

    // A global user, an unknown user or role: 422, and nothing changes.
    expect_invalid(as_admin("PATCH", path(blue, "/users"),
                            users(u) + R"(,"role":"observer"},{"id":)" + std::to_string(g) +
                                R"(,"role":"observer"}]})"),
                   "users");
    expect_invalid(as_admin("PATCH", path(blue, "/users"), users(424242) + R"(,"role":"admin"}]})"),
                   "users");
    expect_invalid(as_admin("PATCH", path(blue, "/users"), users(u) + R"(,"role":"owner"}]})"),
                   "users");
    expect_invalid(as_admin("PATCH", path(blue, "/users"), users(u) + "}]}"), "users");
    EXPECT_EQ(inspect_->user_by_id(u)->teams[0].team_role_value, role::maintainer);
    EXPECT_TRUE(inspect_->user_by_id(g)->teams.empty());
    for (const char* bad : {"{}", R"({"users":[{"id":"1"}]})", R"({"users":[{"id":0}]})",
                            R"({"users":[1]})", R"({"users":{}})"})
        EXPECT_EQ(as_admin("PATCH", path(blue, "/users"), bad).status, 400) << bad;

    auto removed = as_admin("DELETE", path(blue, "/users"), users(u) + "},{\"id\":424242}]}");
    ASSERT_EQ(removed.status, 200) << removed.body;
    EXPECT_EQ(removed.json().at("team").at("user_count"), 0);
    stored = inspect_->user_by_id(u)->teams;
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].team_id, red);
    EXPECT_TRUE(as_admin("GET", path(blue, "/users")).json().at("users").as_array().empty());
    EXPECT_EQ(as_admin("GET", path(424242, "/users")).status, 404);
}

TEST_P(teams_test, deleting_a_team_frees_its_hosts_before_answering) {
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/teams", R"({"specs":[{"name":"blue",
        "agent_options":{"config":{"options":{"distributed_interval":55}}},
        "secrets":[{"secret":"blue-secret"}]}]})")
                  .status,
              200);
    const auto blue = inspect_->team_by_name("blue")->id;
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/policies",
                       R"({"specs":[{"name":"blue policy","query":"SELECT 1","team":"blue"}]})")
                  .status,
              200);
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/packs",
                       R"({"specs":[{"name":"blue pack","targets":{"teams":["blue"]}}]})")
                  .status,
              200);
    const auto member =
        make_user_with_token(*inspect_, "m@example.com", std::nullopt, {{blue, role::admin}});
    simulated_agent agent(srv_->port(), srv_->client_opts(), agent_identity{});
    ASSERT_EQ(agent.enroll("blue-secret"), 200);
    EXPECT_EQ(agent.config().json().at("options"), bj::parse(R"({"distributed_interval":55})"));
    // Only a global admin deletes a team, even its own admin may not.
    EXPECT_EQ(call("DELETE", path(blue), "", member).status, 403);

    ASSERT_EQ(as_admin("DELETE", path(blue)).status, 200);
    // The very next config is the global one: the registry knew before the answer.
    const auto global = as_admin("GET", "/api/v1/fleet/config").json();
    EXPECT_EQ(agent.config().json().at("options"),
              global.at("agent_options").at("config").at("options"));
    EXPECT_EQ(inspect_->list_hosts()->at(0).team_id, std::nullopt);
    EXPECT_FALSE(inspect_->enroll_secret_by_value("blue-secret"));
    EXPECT_EQ(inspect_->policy_by_name("blue policy").err().code, errc::not_found);
    EXPECT_TRUE(inspect_->pack_spec_by_name("blue pack")->target_teams.empty());
    EXPECT_TRUE(inspect_->user_by_email("m@example.com")->teams.empty());
    simulated_agent late(srv_->port(), srv_->client_opts(), agent_identity{"late"});
    EXPECT_EQ(late.enroll("blue-secret"), 401);
}

TEST_P(teams_test, current_fleets_spellings_serve_the_same_routes) {
    const auto blue = create("blue", "/api/latest/fleet");
    auto list = as_admin("GET", "/api/latest/fleet/fleets?query=blu");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json().at("teams").at(0).at("id"), blue); // the key its clients decode
    const auto fleet = "/api/v1/fleet/fleets/" + std::to_string(blue);
    EXPECT_EQ(as_admin("GET", fleet).json().at("team").at("name"), "blue");
    EXPECT_EQ(as_admin("PATCH", fleet, R"({"description":"d"})").status, 200);
    EXPECT_EQ(as_admin("POST", fleet + "/agent_options", "{}").status, 200);
    EXPECT_EQ(as_admin("GET", fleet + "/secrets").status, 200);
    EXPECT_EQ(as_admin("PATCH", fleet + "/secrets", R"({"secrets":[{"secret":"f"}]})").status, 200);
    EXPECT_EQ(as_admin("GET", fleet + "/users").status, 200);
    EXPECT_EQ(as_admin("PATCH", fleet + "/users", R"({"users":[]})").status, 200);
    EXPECT_EQ(as_admin("DELETE", fleet + "/users", R"({"users":[]})").status, 200);
    EXPECT_EQ(inspect_->team_by_id(blue)->description, "d");
    // Current fleetctl's `apply` of kind fleet.
    ASSERT_EQ(as_admin("POST", "/api/latest/fleet/spec/fleets",
                       R"({"specs":[{"name":"red","secrets":[{"secret":"red-secret"}]}]})")
                  .status,
              200);
    EXPECT_EQ(inspect_->enroll_secret_by_value("red-secret")->team_id,
              inspect_->team_by_name("red")->id);
    EXPECT_EQ(as_admin("DELETE", fleet).status, 200);
    EXPECT_EQ(inspect_->team_by_id(blue).err().code, errc::not_found);
}

INSTANTIATE_TEST_SUITE_P(backends, teams_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
