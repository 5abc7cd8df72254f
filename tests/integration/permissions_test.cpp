/// §2's permission table on every spec endpoint, for global admin, maintainer
/// and observer, and for team admin, maintainer and observer; on both stores.

#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <set>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

enum who { admin, maintainer, observer, team_admin, team_maintainer, team_observer };
const char* names[] = {"admin",      "maintainer",      "observer",
                       "team_admin", "team_maintainer", "team_observer"};

class permissions_test : public served_test {
protected:
    void SetUp() override {
        serve();
        tokens_[admin] = srv_->setup();
        auto inspect = db_->open();
        blue_ = make_team(*inspect, "blue");
        make_team(*inspect, "red");
        tokens_[maintainer] = make_user_with_token(*inspect, "m@example.com", role::maintainer);
        tokens_[observer] = make_user_with_token(*inspect, "o@example.com", role::observer);
        tokens_[team_admin] =
            make_user_with_token(*inspect, "ta@example.com", std::nullopt, {{blue_, role::admin}});
        tokens_[team_maintainer] = make_user_with_token(*inspect, "tm@example.com", std::nullopt,
                                                        {{blue_, role::maintainer}});
        tokens_[team_observer] = make_user_with_token(*inspect, "to@example.com", std::nullopt,
                                                      {{blue_, role::observer}});
        ASSERT_TRUE(inspect->apply_query_specs({{"q", "", "SELECT 1", false}}, 1, srv_->now()));
    }
    int status(who w, const std::string& method, const std::string& path,
               const std::string& body = "") {
        auto r = http_once(srv_->port(), method, path, body,
                           {{"Authorization", "Bearer " + tokens_[w]}});
        if (r.status == 403) {
            EXPECT_EQ(
                r.json(),
                bj::parse(
                    R"({"message":"forbidden","errors":[{"name":"base","reason":"forbidden"}]})"));
        }
        return r.status;
    }

    /// Checks that exactly the `allowed` users get 200 and the rest 403.
    void check(const std::string& method, const std::string& path, const std::string& body,
               std::set<who> allowed) {
        for (who w : {admin, maintainer, observer, team_admin, team_maintainer, team_observer})
            EXPECT_EQ(status(w, method, path, body), allowed.count(w) ? 200 : 403)
                << names[w] << " " << method << " " << path << " " << body;
    }

    std::string tokens_[6];
    std::int64_t blue_ = 0;
};

} // namespace

TEST_P(permissions_test, queries) {
    check("GET", "/api/v1/fleet/spec/queries", "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
    check("GET", "/api/v1/fleet/spec/queries/q", "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
    check("POST", "/api/v1/fleet/spec/queries", R"({"specs":[{"name":"q2","query":"SELECT 2"}]})",
          {admin, maintainer, team_admin, team_maintainer});
}

TEST_P(permissions_test, packs) {
    check("POST", "/api/v1/fleet/spec/packs", R"({"specs":[{"name":"p"}]})", {admin, maintainer});
    check("GET", "/api/v1/fleet/spec/packs", "", {admin, maintainer, team_admin, team_maintainer});
    check("GET", "/api/v1/fleet/spec/packs/p", "",
          {admin, maintainer, team_admin, team_maintainer});
}

TEST_P(permissions_test, labels) {
    check("GET", "/api/v1/fleet/spec/labels", "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
    check("GET", "/api/v1/fleet/spec/labels/macOS", "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
    check("POST", "/api/v1/fleet/spec/labels", R"({"specs":[{"name":"l","query":"select 1"}]})",
          {admin, maintainer});
}

TEST_P(permissions_test, enroll_secrets) {
    check("GET", "/api/v1/fleet/spec/enroll_secret", "", {admin, maintainer});
    check("POST", "/api/v1/fleet/spec/enroll_secret", R"({"spec":{"secrets":[{"secret":"s"}]}})",
          {admin, maintainer});
}

TEST_P(permissions_test, teams) {
    // A team admin may modify their own team, not create one or touch another.
    check("POST", "/api/v1/fleet/spec/teams", R"({"specs":[{"name":"blue"}]})",
          {admin, team_admin});
    check("POST", "/api/v1/fleet/spec/teams", R"({"specs":[{"name":"red"}]})", {admin});
    check("POST", "/api/v1/fleet/spec/teams", R"({"specs":[{"name":"green"}]})", {admin});
}

TEST_P(permissions_test, policies) {
    check("POST", "/api/v1/fleet/spec/policies", R"({"specs":[{"name":"g","query":"SELECT 1"}]})",
          {admin, maintainer});
    check("POST", "/api/v1/fleet/spec/policies",
          R"({"specs":[{"name":"t","query":"SELECT 1","team":"blue"}]})",
          {admin, maintainer, team_admin, team_maintainer});
    check("POST", "/api/v1/fleet/spec/policies",
          R"({"specs":[{"name":"r","query":"SELECT 1","team":"red"}]})", {admin, maintainer});
    check("GET", "/api/v1/fleet/global/policies", "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
}

TEST_P(permissions_test, status_and_me_are_open_to_every_role) {
    check("GET", "/api/v1/fleet/status/live_query", "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
    auto me = http_once(srv_->port(), "GET", "/api/v1/fleet/me", "",
                        {{"Authorization", "Bearer " + tokens_[team_maintainer]}});
    ASSERT_EQ(me.status, 200);
    EXPECT_TRUE(me.json().at("user").at("global_role").is_null());
    EXPECT_EQ(me.json().at("user").at("teams"),
              bj::parse(R"([{"id":)" + std::to_string(blue_) +
                        R"(,"name":"blue","description":"","role":"maintainer"}])"));
}

TEST_P(permissions_test, every_spec_endpoint_needs_a_token) {
    const std::pair<const char*, const char*> endpoints[] = {
        {"GET", "/api/v1/fleet/spec/queries"},       {"GET", "/api/v1/fleet/spec/queries/q"},
        {"POST", "/api/v1/fleet/spec/queries"},      {"GET", "/api/v1/fleet/spec/packs"},
        {"GET", "/api/v1/fleet/spec/packs/p"},       {"POST", "/api/v1/fleet/spec/packs"},
        {"GET", "/api/v1/fleet/spec/labels"},        {"GET", "/api/v1/fleet/spec/labels/macOS"},
        {"POST", "/api/v1/fleet/spec/labels"},       {"POST", "/api/v1/fleet/spec/teams"},
        {"GET", "/api/v1/fleet/spec/enroll_secret"}, {"POST", "/api/v1/fleet/spec/enroll_secret"},
        {"POST", "/api/v1/fleet/spec/policies"},     {"GET", "/api/v1/fleet/global/policies"},
    };
    for (auto [method, path] : endpoints) {
        const std::string body = std::string(method) == "POST" ? R"({"specs":[],"spec":{}})" : "";
        auto none = http_once(srv_->port(), method, path, body);
        EXPECT_EQ(none.status, 401) << method << " " << path;
        EXPECT_EQ(none.json().at("message"), "Authorization header required") << path;
        auto bad = http_once(srv_->port(), method, path, body,
                             {{"Authorization", "Bearer not-a-session"}});
        EXPECT_EQ(bad.status, 401) << method << " " << path;
        EXPECT_EQ(bad.json().at("message"), "Authentication required") << path;
    }
}

INSTANTIATE_TEST_SUITE_P(backends, permissions_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
