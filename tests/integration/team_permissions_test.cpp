/// Who may call each teams route (service/teams.hpp), on both stores: global
/// admin, maintainer and observer; blue's admin, maintainer and observer; and
/// red's admin, who is nobody to blue; each a real user the admin created
/// through POST /users/admin, signed in through /login. A refusal is Fleet's
/// 403 body, and writes nothing.

#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <iterator>
#include <set>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

enum who { admin, maintainer, observer, team_admin, team_maintainer, team_observer, other_admin };
const char* names[] = {"admin",           "maintainer",    "observer",   "team_admin",
                       "team_maintainer", "team_observer", "other_admin"};
constexpr who everyone[] = {admin,           maintainer,    observer,   team_admin,
                            team_maintainer, team_observer, other_admin};

class team_permissions_test : public served_test {
protected:
    void SetUp() override {
        serve();
        tokens_[admin] = srv_->setup();
        auto inspect = db_->open();
        blue_ = make_team(*inspect, "blue");
        const auto red = make_team(*inspect, "red");
        tokens_[maintainer] =
            srv_->signed_in_user(tokens_[admin], "m@example.com", role::maintainer);
        tokens_[observer] = srv_->signed_in_user(tokens_[admin], "o@example.com", role::observer);
        tokens_[team_admin] = srv_->signed_in_user(tokens_[admin], "ta@example.com", std::nullopt,
                                                   {{blue_, role::admin}});
        tokens_[team_maintainer] = srv_->signed_in_user(tokens_[admin], "tm@example.com",
                                                        std::nullopt, {{blue_, role::maintainer}});
        tokens_[team_observer] = srv_->signed_in_user(tokens_[admin], "to@example.com",
                                                      std::nullopt, {{blue_, role::observer}});
        tokens_[other_admin] = srv_->signed_in_user(tokens_[admin], "ra@example.com", std::nullopt,
                                                    {{red, role::admin}});
    }
    int status(who w, const std::string& method, const std::string& path, const std::string& body) {
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
    /// Exactly the `allowed` users get 200, the rest 403. `body` may hold
    /// "{who}", replaced by the caller's name (unique names for creates).
    void check(const std::string& method, const std::string& rest, const std::string& body,
               const std::set<who>& allowed) {
        const auto path = "/api/v1/fleet/teams" + rest;
        for (who w : everyone) {
            std::string b = body;
            if (auto at = b.find("{who}"); at != std::string::npos)
                b.replace(at, 5, names[w]);
            EXPECT_EQ(status(w, method, path, b), allowed.count(w) ? 200 : 403)
                << names[w] << " " << method << " " << path << " " << b;
        }
    }
    std::string blue() const { return "/" + std::to_string(blue_); }

    std::string tokens_[7];
    std::int64_t blue_ = 0;
};

} // namespace

TEST_P(team_permissions_test, reading_teams) {
    check("GET", "", "", std::set<who>(std::begin(everyone), std::end(everyone)));
    check("GET", blue(), "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
    check("GET", blue() + "/users", "",
          {admin, maintainer, observer, team_admin, team_maintainer, team_observer});
    check("GET", blue() + "/secrets", "", {admin, maintainer, team_admin, team_maintainer});
}

TEST_P(team_permissions_test, changing_teams) {
    check("POST", "", R"({"name":"by {who}"})", {admin});
    check("PATCH", blue(), R"({"description":"by {who}"})", {admin, team_admin});
    check("POST", blue() + "/agent_options", R"({"config":{}})", {admin, team_admin});
    check("PATCH", blue() + "/secrets", R"({"secrets":[{"secret":"by {who}"}]})",
          {admin, maintainer, team_admin, team_maintainer});
    check("PATCH", blue() + "/users", R"({"users":[]})", {admin, team_admin});
    check("DELETE", blue() + "/users", R"({"users":[]})", {admin, team_admin});
    // Only the global admin's delete (asked first) goes through.
    for (who w : everyone) {
        if (w != admin) {
            EXPECT_EQ(status(w, "DELETE", "/api/v1/fleet/teams" + blue(), ""), 403) << names[w];
        }
    }
    EXPECT_EQ(status(admin, "DELETE", "/api/v1/fleet/teams" + blue(), ""), 200);
}

TEST_P(team_permissions_test, a_refused_change_writes_nothing) {
    auto inspect = db_->open();
    EXPECT_EQ(status(observer, "PATCH", "/api/v1/fleet/teams" + blue() + "/secrets",
                     R"({"secrets":[{"secret":"observed"}]})"),
              403);
    EXPECT_EQ(status(other_admin, "PATCH", "/api/v1/fleet/teams" + blue(), R"({"name":"mine"})"),
              403);
    EXPECT_EQ(status(team_maintainer, "POST", "/api/v1/fleet/teams" + blue() + "/agent_options",
                     R"({"config":{}})"),
              403);
    EXPECT_TRUE(inspect->team_enroll_secrets(blue_)->empty());
    EXPECT_EQ(inspect->team_by_id(blue_)->name, "blue");
    EXPECT_NE(inspect->team_by_id(blue_)->agent_options, bj::parse(R"({"config":{}})"));
    EXPECT_EQ(inspect->list_teams()->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(backends, team_permissions_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
