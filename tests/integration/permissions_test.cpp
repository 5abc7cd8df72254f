/// §2's permission table on every endpoint, for global admin, maintainer and
/// observer, and for team admin, maintainer and observer, each a real user the
/// admin created through POST /users/admin and who signed in with POST /login;
/// on both stores.

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
        const std::string blue = R"([{"id":)" + std::to_string(blue_) + R"(,"role":")";
        tokens_[maintainer] = signed_in_user("m@example.com", R"("global_role":"maintainer")");
        tokens_[observer] = signed_in_user("o@example.com", R"("global_role":"observer")");
        tokens_[team_admin] =
            signed_in_user("ta@example.com", R"("teams":)" + blue + R"(admin"}])");
        tokens_[team_maintainer] =
            signed_in_user("tm@example.com", R"("teams":)" + blue + R"(maintainer"}])");
        tokens_[team_observer] =
            signed_in_user("to@example.com", R"("teams":)" + blue + R"(observer"}])");
        ASSERT_TRUE(inspect->apply_query_specs({{"q", "", "SELECT 1", false}}, 1, srv_->now()));
        host_ = *inspect->new_host_for_test("perm-host", "perm-host.local", blue_, srv_->now());
    }
    /// A user the admin creates through the API, signed in through /login.
    std::string signed_in_user(const std::string& email, const std::string& roles) {
        auto r = http_once(srv_->port(), "POST", "/api/v1/fleet/users/admin",
                           R"({"name":"U","email":")" + email +
                               R"(","password":"pass-1!x","admin_forced_password_reset":false,)" +
                               roles + "}",
                           {{"Authorization", "Bearer " + tokens_[admin]}});
        EXPECT_EQ(r.status, 200) << r.body;
        return srv_->login(email, "pass-1!x");
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

    /// The id of the label named `name`, as text.
    std::string label_id(const std::string& name) {
        auto inspect = db_->open();
        return std::to_string(inspect->label_spec_by_name(name)->id);
    }

    std::string tokens_[6];
    std::int64_t blue_ = 0;
    std::int64_t host_ = 0;
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

TEST_P(permissions_test, hosts_and_targets) {
    const std::set<who> everyone = {admin,      maintainer,      observer,
                                    team_admin, team_maintainer, team_observer};
    for (const char* path : {"/api/v1/fleet/hosts", "/api/latest/fleet/hosts/count",
                             "/api/v1/fleet/host_summary", "/api/v1/fleet/labels/6/hosts"})
        check("GET", path, "", everyone);
    // The host is on team blue: every global user and blue's members see it.
    check("GET", "/api/v1/fleet/hosts/" + std::to_string(host_), "", everyone);
    check("POST", "/api/v1/fleet/targets", R"({"query":"","selected":{"hosts":[]}})", everyone);
    check("POST", "/api/latest/fleet/targets/count", R"({"selected":{"hosts":[]}})", everyone);
}

TEST_P(permissions_test, config_version_and_activities) {
    const std::set<who> everyone = {admin,      maintainer,      observer,
                                    team_admin, team_maintainer, team_observer};
    check("GET", "/api/v1/fleet/config", "", everyone);
    check("GET", "/api/latest/fleet/version", "", everyone);
    check("GET", "/api/v1/fleet/activities", "", everyone);
    check("PATCH", "/api/v1/fleet/config", R"({"org_info":{"org_name":"Acme"}})", {admin});
}

TEST_P(permissions_test, users) {
    const std::set<who> everyone = {admin,      maintainer,      observer,
                                    team_admin, team_maintainer, team_observer};
    check("GET", "/api/v1/fleet/users", "", everyone);
    check("GET", "/api/v1/fleet/users/1", "", everyone);
    int n = 0;
    auto new_user = [&](const std::string& roles) {
        return R"({"name":"N","email":"new)" + std::to_string(++n) +
               R"(@example.com","password":"pass-1!x",)" + roles + "}";
    };
    for (who w : {admin, maintainer, observer, team_admin, team_maintainer, team_observer})
        EXPECT_EQ(
            status(w, "POST", "/api/v1/fleet/users/admin", new_user(R"("global_role":"observer")")),
            w == admin ? 200 : 403)
            << names[w];
    // A team admin adds users to their own team.
    for (who w : {admin, maintainer, observer, team_admin, team_maintainer, team_observer})
        EXPECT_EQ(status(w, "POST", "/api/v1/fleet/users/admin",
                         new_user(R"("teams":[{"id":)" + std::to_string(blue_) +
                                  R"(,"role":"observer"}])")),
                  w == admin || w == team_admin ? 200 : 403)
            << names[w];
    check("POST", "/api/v1/fleet/users/roles/spec",
          R"({"spec":{"roles":{"admin@example.com":{"global_role":"admin"}}}})", {admin});
    check("PATCH", "/api/v1/fleet/users/1", R"({"position":"Boss"})", {admin});
    check("GET", "/api/v1/fleet/users/1/sessions", "", {admin});
}

TEST_P(permissions_test, labels_rest) {
    const std::set<who> everyone = {admin,      maintainer,      observer,
                                    team_admin, team_maintainer, team_observer};
    check("GET", "/api/v1/fleet/labels", "", everyone);
    check("GET", "/api/latest/fleet/labels/6", "", everyone);
    for (who w : {admin, maintainer, observer, team_admin, team_maintainer, team_observer})
        EXPECT_EQ(status(w, "POST", "/api/v1/fleet/labels",
                         R"({"name":"l-)" + std::string(names[w]) + R"(","query":"select 1"})"),
                  w == admin || w == maintainer ? 200 : 403)
            << names[w];
    check("PATCH", "/api/v1/fleet/labels/" + label_id("l-admin"), R"({"description":"d"})",
          {admin, maintainer});
}

TEST_P(permissions_test, live_queries) {
    const std::string adhoc =
        R"({"query":"select 1","selected":{"hosts":[)" + std::to_string(host_) + "]}}";
    check("POST", "/api/v1/fleet/queries/run", adhoc,
          {admin, maintainer, team_admin, team_maintainer});
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
