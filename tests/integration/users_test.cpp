/// The users routes end to end on both stores (fleet-rest.md §3): an admin
/// creates, lists, reads, modifies and deletes users; passwords change and a
/// reset is required; the user_roles spec; and each change is what the next
/// request (and the next login) sees.

#include "model/user.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

class users_test : public served_test {
protected:
    void SetUp() override {
        serve();
        admin_ = srv_->setup();
        inspect_ = db_->open();
        blue_ = make_team(*inspect_, "blue");
        red_ = make_team(*inspect_, "red");
    }
    http_reply call(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token) {
        return http_once(srv_->port(), method, path, body, {{"Authorization", "Bearer " + token}});
    }
    http_reply as_admin(const std::string& method, const std::string& path,
                        const std::string& body = "") {
        return call(method, path, body, admin_);
    }
    /// Logs in (the clock moves on first, past the login rate limit); "" when refused.
    std::string login(const std::string& email, const std::string& password) {
        srv_->advance(10s);
        bj::object body{{"email", email}, {"password", password}};
        auto r = http_once(srv_->port(), "POST", "/api/v1/fleet/login", bj::serialize(body));
        if (r.status != 200)
            return "";
        return std::string(r.json().at("token").as_string());
    }
    /// Creates a user through the API (no reset required); returns its id.
    std::int64_t create(const std::string& email, const std::string& extra) {
        auto r = as_admin("POST", "/api/v1/fleet/users/admin",
                          R"({"name":"N )" + email + R"(","email":")" + email +
                              R"(","password":"pass-1!x","admin_forced_password_reset":false,)" +
                              extra + "}");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json().at("user").at("id").as_int64();
    }
    static std::string field_of(const http_reply& r) {
        return std::string(r.json().at("errors").at(0).at("name").as_string());
    }
    void expect_invalid(const http_reply& r, const std::string& field) {
        EXPECT_EQ(r.status, 422) << r.body;
        EXPECT_EQ(r.json().at("message"), "Validation Failed") << r.body;
        EXPECT_EQ(field_of(r), field) << r.body;
    }

    std::string admin_;
    std::unique_ptr<storage::store> inspect_;
    std::int64_t blue_ = 0, red_ = 0;
};

} // namespace

TEST_P(users_test, an_admin_creates_a_user_who_can_sign_in) {
    auto r = as_admin("POST", "/api/v1/fleet/users/admin",
                      R"({"name":"Jane","email":"Jane@Example.com","password":"pass-1!x",
                          "global_role":"observer","position":"SRE",
                          "admin_forced_password_reset":false})");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto u = r.json().at("user").as_object();
    EXPECT_EQ(u.at("name"), "Jane");
    EXPECT_EQ(u.at("email"), "jane@example.com");
    EXPECT_EQ(u.at("global_role"), "observer");
    EXPECT_EQ(u.at("teams"), bj::array{});
    EXPECT_EQ(u.at("api_only"), false);
    EXPECT_EQ(u.at("sso_enabled"), false);
    EXPECT_EQ(u.at("force_password_reset"), false);
    EXPECT_EQ(u.at("position"), "SRE");
    EXPECT_FALSE(u.contains("password"));
    const auto id = u.at("id").as_int64();

    auto stored = inspect_->user_by_id(id);
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->password_hash.starts_with("$argon2id$"));
    EXPECT_EQ(stored->global_role, role::observer);

    const auto token = login("jane@example.com", "pass-1!x");
    ASSERT_FALSE(token.empty());
    auto me = call("GET", "/api/latest/fleet/me", "", token);
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(me.json().at("user").at("id"), id);
    // A global user may pick any team.
    EXPECT_EQ(me.json().at("available_teams").as_array().size(), 2u);

    auto one = call("GET", "/api/v1/fleet/users/" + std::to_string(id), "", token);
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.json().at("user").at("email"), "jane@example.com");
    EXPECT_TRUE(one.json().at("available_teams").is_array());
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/users/999999").status, 404);
}

TEST_P(users_test, team_users_and_api_only_users) {
    auto r = as_admin("POST", "/api/latest/fleet/users/admin",
                      R"({"name":"T","email":"t@example.com","password":"pass-1!x","api_only":true,
                          "admin_forced_password_reset":false,
                          "teams":[{"id":)" +
                          std::to_string(blue_) + R"(,"role":"maintainer"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto u = r.json().at("user").as_object();
    EXPECT_EQ(u.at("global_role"), nullptr);
    EXPECT_EQ(u.at("api_only"), true);
    ASSERT_EQ(u.at("teams").as_array().size(), 1u);
    EXPECT_EQ(u.at("teams").at(0).at("id"), blue_);
    EXPECT_EQ(u.at("teams").at(0).at("name"), "blue");
    EXPECT_EQ(u.at("teams").at(0).at("role"), "maintainer");
    const auto token = login("t@example.com", "pass-1!x");
    ASSERT_FALSE(token.empty());
    auto me = call("GET", "/api/v1/fleet/me", "", token);
    EXPECT_EQ(me.json().at("available_teams"), bj::parse(R"([{"id":)" + std::to_string(blue_) +
                                                         R"(,"name":"blue","description":""}])"));
}

TEST_P(users_test, creating_a_user_refuses_bad_input_and_writes_nothing) {
    const std::string team = std::to_string(blue_);
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"email":"a@example.com","password":"x","global_role":"admin"})"),
                   "name");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"","email":"a@example.com","password":"x",
                                "global_role":"admin"})"),
                   "name");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","password":"x","global_role":"admin"})"),
                   "email");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","email":"a@example.com","global_role":"admin"})"),
                   "password");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","email":"a@example.com","password":"x",
                                "sso_enabled":true,"global_role":"admin"})"),
                   "password");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","email":"a@example.com","password":"x"})"),
                   "base");
    auto none = as_admin("POST", "/api/v1/fleet/users/admin",
                         R"({"name":"A","email":"a@example.com","password":"x"})");
    EXPECT_EQ(none.json().at("errors").at(0).at("reason"),
              "either global role or team role needs to be defined");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","email":"a@example.com","password":"x",
                                "global_role":"admin","teams":[{"id":)" +
                                team + R"(,"role":"observer"}]})"),
                   "global_role");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","email":"a@example.com","password":"x",
                                "global_role":"superuser"})"),
                   "global_role");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","email":"a@example.com","password":"x",
                                "teams":[{"id":999999,"role":"observer"}]})"),
                   "teams");
    expect_invalid(as_admin("POST", "/api/v1/fleet/users/admin",
                            R"({"name":"A","email":"a@example.com","password":"x",
                                "invite_token":"t","global_role":"admin"})"),
                   "invite_token");
    EXPECT_EQ(*inspect_->count_users(), 1);
    // Wrong types are malformed requests.
    for (const char* bad : {R"({"name":1})", R"({"teams":{"id":1}})", R"({"teams":[{"id":"1"}]})",
                            R"({"api_only":"yes"})", "[1]", "{"}) {
        auto r = as_admin("POST", "/api/v1/fleet/users/admin", bad);
        EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    }
    // A taken email is a conflict, whatever its case.
    create("dup@example.com", R"("global_role":"observer")");
    auto dup = as_admin("POST", "/api/v1/fleet/users/admin",
                        R"({"name":"B","email":"DUP@example.com","password":"x",
                            "global_role":"admin"})");
    EXPECT_EQ(dup.status, 409) << dup.body;
    EXPECT_EQ(dup.json().at("message"), "Resource Already Exists");
    EXPECT_EQ(*inspect_->count_users(), 2);
    EXPECT_EQ(http_once(srv_->port(), "POST", "/api/v1/fleet/users/admin", "{}").status, 401);
}

TEST_P(users_test, who_may_create_users) {
    const auto maint = make_user_with_token(*inspect_, "m@example.com", role::maintainer);
    const auto team_admin =
        make_user_with_token(*inspect_, "ta@example.com", std::nullopt, {{blue_, role::admin}});
    const std::string body = R"({"name":"X","email":"x@example.com","password":"pass-1!x",)";
    EXPECT_EQ(
        call("POST", "/api/v1/fleet/users/admin", body + R"("global_role":"observer"})", maint)
            .status,
        403);
    // A team admin adds users to their own team only.
    EXPECT_EQ(
        call("POST", "/api/v1/fleet/users/admin", body + R"("global_role":"observer"})", team_admin)
            .status,
        403);
    EXPECT_EQ(call("POST", "/api/v1/fleet/users/admin",
                   body + R"("teams":[{"id":)" + std::to_string(red_) + R"(,"role":"observer"}]})",
                   team_admin)
                  .status,
              403);
    auto ok = call("POST", "/api/v1/fleet/users/admin",
                   body + R"("teams":[{"id":)" + std::to_string(blue_) + R"(,"role":"observer"}]})",
                   team_admin);
    EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_P(users_test, the_list_filters_orders_and_pages) {
    create("zed@example.com", R"("global_role":"observer")");
    create("amy@example.com",
           R"("teams":[{"id":)" + std::to_string(blue_) + R"(,"role":"admin"}])");
    auto emails = [&](const std::string& q) {
        std::vector<std::string> out;
        auto r = as_admin("GET", "/api/v1/fleet/users" + q);
        EXPECT_EQ(r.status, 200) << q << " " << r.body;
        const auto body = r.json();
        for (const auto& u : body.at("users").as_array())
            out.emplace_back(u.at("email").as_string());
        return out;
    };
    using list = std::vector<std::string>;
    EXPECT_EQ(emails(""), (list{"admin@example.com", "zed@example.com", "amy@example.com"}));
    EXPECT_EQ(emails("?order_key=email"),
              (list{"admin@example.com", "amy@example.com", "zed@example.com"}));
    EXPECT_EQ(emails("?order_key=email&order_direction=desc&page=0&per_page=2"),
              (list{"zed@example.com", "amy@example.com"}));
    EXPECT_EQ(emails("?order_key=email&page=1&per_page=2"), (list{"zed@example.com"}));
    EXPECT_EQ(emails("?query=ZED"), (list{"zed@example.com"}));
    EXPECT_EQ(emails("?team_id=" + std::to_string(blue_)), (list{"amy@example.com"}));
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/users?order_key=password_hash").status, 400);
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/users?per_page=0").status, 400);
    EXPECT_EQ(as_admin("GET", "/api/latest/fleet/users").status, 200);
}

TEST_P(users_test, users_edit_their_profile_but_not_their_roles) {
    const auto id = create("self@example.com", R"("global_role":"observer")");
    const auto token = login("self@example.com", "pass-1!x");
    const auto path = "/api/v1/fleet/users/" + std::to_string(id);
    auto r = call("PATCH", path, R"({"name":"New Name","position":"Lead"})", token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("user").at("name"), "New Name");
    EXPECT_EQ(inspect_->user_by_id(id)->position, "Lead");
    EXPECT_EQ(call("PATCH", path, R"({"global_role":"admin"})", token).status, 403);
    EXPECT_EQ(inspect_->user_by_id(id)->global_role, role::observer);
    // Another user's profile is the admin's.
    EXPECT_EQ(call("PATCH", "/api/v1/fleet/users/1", R"({"name":"Hacked"})", token).status, 403);
    // Changing one's own email needs the current password.
    expect_invalid(call("PATCH", path, R"({"email":"new@example.com"})", token), "password");
    auto wrong = call("PATCH", path, R"({"email":"new@example.com","password":"nope"})", token);
    EXPECT_EQ(wrong.status, 403) << wrong.body;
    EXPECT_EQ(inspect_->user_by_id(id)->email, "self@example.com");
    auto right = call("PATCH", path, R"({"email":"New@example.com","password":"pass-1!x"})", token);
    ASSERT_EQ(right.status, 200) << right.body;
    EXPECT_EQ(inspect_->user_by_id(id)->email, "new@example.com");
    EXPECT_FALSE(login("new@example.com", "pass-1!x").empty());
    expect_invalid(call("PATCH", path, R"({"name":""})", token), "name");
    EXPECT_EQ(as_admin("PATCH", "/api/v1/fleet/users/999999", R"({"name":"x"})").status, 404);
}

TEST_P(users_test, an_admin_changes_roles_and_passwords) {
    const auto id = create("r@example.com", R"("global_role":"observer")");
    const auto token = login("r@example.com", "pass-1!x");
    const auto path = "/api/v1/fleet/users/" + std::to_string(id);
    // A team role replaces the global one, and the reverse.
    auto teams = as_admin("PATCH", path,
                          R"({"teams":[{"id":)" + std::to_string(red_) + R"(,"role":"admin"}]})");
    ASSERT_EQ(teams.status, 200) << teams.body;
    EXPECT_EQ(teams.json().at("user").at("global_role"), nullptr);
    auto stored = inspect_->user_by_id(id);
    EXPECT_FALSE(stored->global_role);
    ASSERT_EQ(stored->teams.size(), 1u);
    EXPECT_EQ(stored->teams[0].team_id, red_);
    auto global = as_admin("PATCH", path, R"({"global_role":"maintainer"})");
    ASSERT_EQ(global.status, 200) << global.body;
    EXPECT_EQ(global.json().at("user").at("teams"), bj::array{});
    stored = inspect_->user_by_id(id);
    EXPECT_EQ(stored->global_role, role::maintainer);
    EXPECT_TRUE(stored->teams.empty());
    expect_invalid(as_admin("PATCH", path, R"({"global_role":"root"})"), "global_role");
    // The user's session still works until an admin sets their password.
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", token).status, 200);
    ASSERT_EQ(as_admin("PATCH", path, R"({"new_password":"other-2!y"})").status, 200);
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", token).status, 401);
    EXPECT_TRUE(login("r@example.com", "pass-1!x").empty());
    EXPECT_FALSE(login("r@example.com", "other-2!y").empty());
}

TEST_P(users_test, deleting_a_user_ends_their_sessions) {
    const auto id = create("d@example.com", R"("global_role":"maintainer")");
    const auto token = login("d@example.com", "pass-1!x");
    const auto path = "/api/v1/fleet/users/" + std::to_string(id);
    EXPECT_EQ(call("DELETE", "/api/v1/fleet/users/1", "", token).status, 403);
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", token).status, 200);
    auto r = as_admin("DELETE", path);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::object{});
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", token).status, 401);
    EXPECT_EQ(as_admin("GET", path).status, 404);
    EXPECT_EQ(as_admin("DELETE", path).status, 404);
    EXPECT_TRUE(login("d@example.com", "pass-1!x").empty());
    EXPECT_EQ(inspect_->user_sessions(id)->size(), 0u);
    // The last global admin stays, whoever asks; anyone else may leave.
    expect_invalid(as_admin("DELETE", "/api/v1/fleet/users/1"), "id");
    expect_invalid(as_admin("PATCH", "/api/v1/fleet/users/1", R"({"global_role":"observer"})"),
                   "global_role");
    EXPECT_EQ(inspect_->user_by_id(1)->global_role, role::admin);
    const auto leaver = create("leaver@example.com", R"("global_role":"observer")");
    const auto leaver_token = login("leaver@example.com", "pass-1!x");
    EXPECT_EQ(
        call("DELETE", "/api/v1/fleet/users/" + std::to_string(leaver), "", leaver_token).status,
        200);
    EXPECT_FALSE(inspect_->user_by_id(leaver));
    // Deletions are in the activity feed.
    auto feed = as_admin("GET", "/api/v1/fleet/activities?order_key=id&order_direction=desc");
    ASSERT_EQ(feed.status, 200) << feed.body;
    const auto feed_json = feed.json();
    const auto& last = feed_json.at("activities").at(0);
    EXPECT_EQ(last.at("type"), "deleted_user");
    EXPECT_EQ(last.at("details").at("user_email"), "leaver@example.com");
    EXPECT_EQ(last.at("actor_id"), nullptr) << "the actor deleted themselves";
    EXPECT_EQ(last.at("actor_full_name"), "N leaver@example.com");
}

TEST_P(users_test, a_user_created_by_an_admin_sets_a_password_first) {
    // fleetctl user create leaves admin_forced_password_reset out: Fleet's default is true.
    auto r = as_admin("POST", "/api/v1/fleet/users/admin",
                      R"({"name":"F","email":"f@example.com","password":"first-1!",
                          "global_role":"maintainer"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("user").at("force_password_reset"), true);
    const auto token = login("f@example.com", "first-1!");
    ASSERT_FALSE(token.empty());
    for (const char* path :
         {"/api/v1/fleet/me", "/api/v1/fleet/users", "/api/latest/fleet/config"}) {
        auto blocked = call("GET", path, "", token);
        EXPECT_EQ(blocked.status, 401) << path;
        EXPECT_EQ(blocked.json().at("message"), "password reset required") << path;
    }
    expect_invalid(call("POST", "/api/v1/fleet/perform_required_password_reset",
                        R"({"new_password":"first-1!"})", token),
                   "new_password");
    auto done = call("POST", "/api/latest/fleet/perform_required_password_reset",
                     R"({"new_password":"second-2!"})", token);
    ASSERT_EQ(done.status, 200) << done.body;
    EXPECT_EQ(done.json().at("user").at("force_password_reset"), false);
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", token).status, 200);
    EXPECT_FALSE(login("f@example.com", "second-2!").empty());
    // Once done, there is nothing to reset.
    EXPECT_EQ(call("POST", "/api/v1/fleet/perform_required_password_reset",
                   R"({"new_password":"third-3!"})", token)
                  .status,
              403);
    EXPECT_EQ(call("POST", "/api/v1/fleet/logout", "", token).status, 200);
}

TEST_P(users_test, changing_ones_password) {
    const auto id = create("p@example.com", R"("global_role":"observer")");
    const auto current = login("p@example.com", "pass-1!x");
    const auto other = login("p@example.com", "pass-1!x");
    auto change = [&](const std::string& body) {
        return call("POST", "/api/v1/fleet/change_password", body, current);
    };
    expect_invalid(change(R"({"new_password":"abc-123!"})"), "old_password");
    expect_invalid(change(R"({"old_password":"pass-1!x"})"), "new_password");
    for (const char* weak : {"short1!", "no-digits!", "n0symbols"}) {
        auto r =
            change(R"({"old_password":"pass-1!x","new_password":")" + std::string(weak) + R"("})");
        if (std::string(weak) == "short1!") {
            EXPECT_EQ(r.status, 200) << "7 bytes with a digit and a symbol meets the rules";
            ASSERT_EQ(change(R"({"old_password":"short1!","new_password":"pass-1!x"})").status,
                      200);
            continue;
        }
        expect_invalid(r, "new_password");
        EXPECT_EQ(r.json().at("errors").at(0).at("reason"),
                  "Password does not meet validation requirements");
    }
    auto wrong = change(R"({"old_password":"nope","new_password":"good-pass-9!"})");
    expect_invalid(wrong, "old_password");
    EXPECT_EQ(wrong.json().at("errors").at(0).at("reason"), "old password does not match");
    ASSERT_EQ(change(R"({"old_password":"pass-1!x","new_password":"good-pass-9!"})").status, 200);
    // The session that changed it goes on; the user's other sessions end.
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", current).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", other).status, 401);
    EXPECT_EQ(inspect_->user_sessions(id)->size(), 1u);
    EXPECT_TRUE(login("p@example.com", "pass-1!x").empty());
    EXPECT_FALSE(login("p@example.com", "good-pass-9!").empty());
    EXPECT_EQ(http_once(srv_->port(), "POST", "/api/v1/fleet/change_password", "{}").status, 401);
}

TEST_P(users_test, requiring_a_password_reset_ends_sessions) {
    const auto id = create("rr@example.com", R"("global_role":"observer")");
    const auto token = login("rr@example.com", "pass-1!x");
    const auto path = "/api/v1/fleet/users/" + std::to_string(id) + "/require_password_reset";
    EXPECT_EQ(call("POST", path, R"({"require":true})", token).status, 403);
    auto r = as_admin("POST", path, R"({"require":true})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("user").at("force_password_reset"), true);
    EXPECT_TRUE(inspect_->user_by_id(id)->force_password_reset);
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", token).status, 401);
    auto off = as_admin("POST", path, R"({"require":false})");
    EXPECT_EQ(off.json().at("user").at("force_password_reset"), false);
    EXPECT_EQ(
        as_admin("POST", "/api/v1/fleet/users/999999/require_password_reset", R"({"require":true})")
            .status,
        404);
    EXPECT_EQ(as_admin("POST", path, R"({"require":"yes"})").status, 400);
}

TEST_P(users_test, the_user_roles_spec_sets_roles_by_email_and_team_name) {
    const auto a = create("a@example.com", R"("global_role":"observer")");
    const auto b = create("b@example.com", R"("global_role":"observer")");
    auto r = as_admin("POST", "/api/v1/fleet/users/roles/spec",
                      R"({"spec":{"roles":{
                          "a@example.com":{"global_role":"maintainer","teams":null},
                          "b@example.com":{"global_role":null,
                              "teams":[{"team":"blue","role":"admin"},{"team":"red","role":"observer"}]}}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::object{});
    EXPECT_EQ(inspect_->user_by_id(a)->global_role, role::maintainer);
    auto ub = inspect_->user_by_id(b);
    EXPECT_FALSE(ub->global_role);
    ASSERT_EQ(ub->teams.size(), 2u);
    EXPECT_EQ(ub->teams[0].team_role_value, role::admin);
    EXPECT_EQ(ub->teams[1].team_role_value, role::observer);
    // An unknown email or team writes nothing.
    for (const char* bad : {R"({"spec":{"roles":{"a@example.com":{"global_role":"admin"},
                               "nobody@example.com":{"global_role":"admin"}}}})",
                            R"({"spec":{"roles":{"a@example.com":{"global_role":"admin"},
                               "b@example.com":{"teams":[{"team":"green","role":"admin"}]}}}})",
                            R"({"spec":{"roles":{"a@example.com":{"global_role":"emperor"}}}})"}) {
        auto e = as_admin("POST", "/api/latest/fleet/users/roles/spec", bad);
        expect_invalid(e, "roles");
        EXPECT_EQ(inspect_->user_by_id(a)->global_role, role::maintainer) << bad;
    }
    // Current fleetctl's spelling: fleets and fleet.
    ASSERT_EQ(as_admin("POST", "/api/latest/fleet/users/roles/spec",
                       R"({"spec":{"roles":{"b@example.com":{"global_role":null,
                           "fleets":[{"fleet":"red","role":"maintainer"}]}}}})")
                  .status,
              200);
    ub = inspect_->user_by_id(b);
    ASSERT_EQ(ub->teams.size(), 1u);
    EXPECT_EQ(ub->teams[0].team_id, red_);
    EXPECT_EQ(ub->teams[0].team_role_value, role::maintainer);
    const auto maint = login("a@example.com", "pass-1!x");
    EXPECT_EQ(call("POST", "/api/v1/fleet/users/roles/spec",
                   R"({"spec":{"roles":{"a@example.com":{"global_role":"admin"}}}})", maint)
                  .status,
              403);
    EXPECT_EQ(as_admin("POST", "/api/v1/fleet/users/roles/spec", R"({"roles":{}})").status, 400);
}

TEST_P(users_test, a_users_sessions) {
    const auto id = create("s@example.com", R"("global_role":"observer")");
    const auto token = login("s@example.com", "pass-1!x");
    auto r = call("GET", "/api/v1/fleet/users/" + std::to_string(id) + "/sessions", "", token);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().at("sessions").as_array().size(), 1u);
    EXPECT_EQ(r.json().at("sessions").at(0).at("user_id"), id);
    EXPECT_EQ(call("GET", "/api/v1/fleet/users/1/sessions", "", token).status, 403);
    ASSERT_EQ(as_admin("DELETE", "/api/v1/fleet/users/" + std::to_string(id) + "/sessions").status,
              200);
    EXPECT_EQ(call("GET", "/api/v1/fleet/me", "", token).status, 401);
}

INSTANTIATE_TEST_SUITE_P(backends, users_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
