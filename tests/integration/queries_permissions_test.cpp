/// Who may do what with saved queries (fleet-behaviour.md §2), on both stores:
/// global admin, maintainer and observer; team admin, maintainer and observer;
/// the observer_can_run rule for reading; team writers only on queries they
/// authored. Each role is a real user the admin created through POST
/// /users/admin, signed in through /login.

#include "tests/integration/queries_fixture.hpp"

#include <map>
#include <set>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

enum who { admin, maintainer, observer, team_admin, team_maintainer, team_observer };
const char* names[] = {"admin",      "maintainer",      "observer",
                       "team_admin", "team_maintainer", "team_observer"};
constexpr who everyone[] = {admin,      maintainer,      observer,
                            team_admin, team_maintainer, team_observer};

class queries_permissions_test : public queries_fixture {
protected:
    void SetUp() override {
        queries_fixture::SetUp();
        tokens_[admin] = admin_;
        tokens_[maintainer] =
            srv_->signed_in_user(tokens_[admin], "m@example.com", role::maintainer);
        tokens_[observer] = srv_->signed_in_user(tokens_[admin], "o@example.com", role::observer);
        tokens_[team_admin] = srv_->signed_in_user(tokens_[admin], "ta@example.com", std::nullopt,
                                                   {{blue_, role::admin}});
        tokens_[team_maintainer] = srv_->signed_in_user(tokens_[admin], "tm@example.com",
                                                        std::nullopt, {{blue_, role::maintainer}});
        tokens_[team_observer] = srv_->signed_in_user(tokens_[admin], "to@example.com",
                                                      std::nullopt, {{blue_, role::observer}});
    }
    http_reply as(who w, const std::string& method, const std::string& path,
                  const std::string& body = "") {
        auto r = call(method, path, body, tokens_[w]);
        if (r.status == 403) {
            EXPECT_EQ(
                r.json(),
                bj::parse(
                    R"({"message":"forbidden","errors":[{"name":"base","reason":"forbidden"}]})"));
        }
        return r;
    }
    /// A query authored by `w` (through the API).
    std::int64_t authored_by(who w, const std::string& name, bool observer_can_run = false) {
        return create(name, observer_can_run, tokens_[w]);
    }
    bool exists(std::int64_t id) { return bool(inspect_->saved_query_details_by_id(id)); }

    std::string tokens_[6];
};

} // namespace

TEST_P(queries_permissions_test, observers_read_only_what_they_may_run) {
    const auto open = create("open", true);
    const auto closed = create("closed", false);
    // Observer on one team, maintainer on another: not an observer-only user.
    const auto mixed = srv_->signed_in_user(tokens_[admin], "mix@example.com", std::nullopt,
                                            {{blue_, role::observer}, {red_, role::maintainer}});
    const std::vector<std::string> both{"open", "closed"}, runnable{"open"};
    for (who w : everyone) {
        const bool limited = w == observer || w == team_observer;
        auto list = as(w, "GET", "/api/v1/fleet/queries");
        ASSERT_EQ(list.status, 200) << names[w] << " " << list.body;
        EXPECT_EQ(names_of(list), limited ? runnable : both) << names[w];
        EXPECT_EQ(as(w, "GET", "/api/v1/fleet/queries/" + std::to_string(open)).status, 200)
            << names[w];
        EXPECT_EQ(as(w, "GET", "/api/v1/fleet/queries/" + std::to_string(closed)).status,
                  limited ? 404 : 200)
            << names[w];
    }
    EXPECT_EQ(names_of(call("GET", "/api/v1/fleet/queries", "", mixed)), both);
    // The spec routes are Fleet 4.9's: every signed-in user reads every query.
    EXPECT_EQ(as(observer, "GET", "/api/v1/fleet/spec/queries/closed").status, 200);
}

TEST_P(queries_permissions_test, writers_create_and_observers_do_not) {
    const std::set<who> allowed{admin, maintainer, team_admin, team_maintainer};
    for (who w : everyone) {
        const std::string name = std::string("by-") + names[w];
        auto r = as(w, "POST", "/api/latest/fleet/queries",
                    R"({"name":")" + name + R"(","query":"SELECT 1"})");
        EXPECT_EQ(r.status, allowed.count(w) ? 200 : 403) << names[w] << " " << r.body;
        EXPECT_EQ(bool(inspect_->query_by_name(name)), allowed.count(w) == 1) << names[w];
    }
    // An observer is refused before anything is looked up.
    EXPECT_EQ(as(observer, "DELETE", "/api/v1/fleet/queries/nothing-here").status, 403);
    EXPECT_EQ(as(team_observer, "PATCH", "/api/v1/fleet/queries/999999", "{}").status, 403);
    EXPECT_EQ(as(observer, "POST", "/api/v1/fleet/queries/delete", R"({"ids":[]})").status, 403);
}

TEST_P(queries_permissions_test, team_writers_change_only_their_own_queries) {
    const auto admins = create("admins");
    const auto own = authored_by(team_maintainer, "own");
    ASSERT_GT(own, 0);
    auto patch = [&](who w, std::int64_t id) {
        return as(w, "PATCH", "/api/v1/fleet/queries/" + std::to_string(id),
                  std::string(R"({"description":"by )") + names[w] + "\"}")
            .status;
    };
    // Anyone's query: global admins and maintainers only.
    for (who w : everyone)
        EXPECT_EQ(patch(w, admins), w == admin || w == maintainer ? 200 : 403) << names[w];
    // A team maintainer's query: its author too, not the team's admin.
    for (who w : everyone)
        EXPECT_EQ(patch(w, own), w == admin || w == maintainer || w == team_maintainer ? 200 : 403)
            << names[w];
    EXPECT_EQ(inspect_->saved_query_details_by_id(own)->q.description, "by team_maintainer");

    // Deleting follows the same rule, by name, by id and in bulk.
    EXPECT_EQ(as(team_admin, "DELETE", "/api/v1/fleet/queries/own").status, 403);
    EXPECT_EQ(as(team_maintainer, "DELETE", "/api/v1/fleet/queries/admins").status, 403);
    EXPECT_EQ(
        as(team_maintainer, "DELETE", "/api/v1/fleet/queries/id/" + std::to_string(admins)).status,
        403);
    EXPECT_EQ(as(team_maintainer, "POST", "/api/v1/fleet/queries/delete",
                 R"({"ids":[)" + std::to_string(own) + "," + std::to_string(admins) + "]}")
                  .status,
              403);
    EXPECT_TRUE(exists(own));
    EXPECT_TRUE(exists(admins));
    EXPECT_EQ(as(team_maintainer, "DELETE", "/api/v1/fleet/queries/own").status, 200);
    EXPECT_FALSE(exists(own));
    const auto mine = authored_by(team_admin, "mine");
    const auto also_mine = authored_by(team_admin, "also-mine");
    auto bulk = as(team_admin, "POST", "/api/v1/fleet/queries/delete",
                   R"({"ids":[)" + std::to_string(mine) + "]}");
    EXPECT_EQ(bulk.status, 200) << bulk.body;
    EXPECT_EQ(
        as(team_admin, "DELETE", "/api/v1/fleet/queries/id/" + std::to_string(also_mine)).status,
        200);
    EXPECT_EQ(as(maintainer, "DELETE", "/api/v1/fleet/queries/admins").status, 200);
    EXPECT_EQ(stored_count(), 0u);
}

TEST_P(queries_permissions_test, every_route_needs_a_token) {
    const std::pair<const char*, const char*> routes[] = {
        {"GET", "/api/v1/fleet/queries"},
        {"POST", "/api/v1/fleet/queries"},
        {"GET", "/api/v1/fleet/queries/1"},
        {"PATCH", "/api/v1/fleet/queries/1"},
        {"DELETE", "/api/v1/fleet/queries/q"},
        {"DELETE", "/api/v1/fleet/queries/id/1"},
        {"POST", "/api/v1/fleet/queries/delete"},
        {"GET", "/api/latest/fleet/reports"},
        {"GET", "/api/latest/fleet/spec/reports"},
        {"GET", "/api/latest/fleet/spec/reports/q"},
        {"POST", "/api/latest/fleet/reports/delete"},
    };
    for (auto [method, path] : routes) {
        auto r = http_once(srv_->port(), method, path, "{}");
        EXPECT_EQ(r.status, 401) << method << " " << path << " " << r.body;
    }
}

INSTANTIATE_TEST_SUITE_P(backends, queries_permissions_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
