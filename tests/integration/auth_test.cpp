/// Setup, login, me, logout, the setup gate and token handling, over real
/// sockets against a whole instance, on SQLite and on MariaDB.

#include "tests/support/eventually.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class auth_test : public served_test {
protected:
    void SetUp() override { serve(); }

    http_reply post(const std::string& target, const std::string& body) {
        return http_once(srv_->port(), "POST", target, body);
    }
    http_reply get_authed(const std::string& target, const std::string& token) {
        return http_once(srv_->port(), "GET", target, "", {{"Authorization", "Bearer " + token}});
    }
    /// A second connection to the same database, to check what was stored.
    std::unique_ptr<storage::store> inspect() { return db_->open(); }

    static std::string setup_body(const std::string& server_url = "https://fleet.example.com") {
        return R"({"server_url":")" + server_url +
               R"(","org_info":{"org_name":"Acme","org_logo_url":"https://acme.example/l.png"},
                  "admin":{"name":"Ann Admin","email":"Ann@Example.com","password":"pw-123"}})";
    }

    static void expect_error(const http_reply& r, int status, const std::string& message) {
        EXPECT_EQ(r.status, status) << r.body;
        auto j = r.json();
        EXPECT_EQ(j.at("message"), message.c_str()) << r.body;
        EXPECT_TRUE(j.at("errors").is_array()) << r.body;
    }
};

} // namespace

TEST_P(auth_test, before_setup_every_api_path_but_setup_is_404) {
    for (const char* path : {"/api/v1/fleet/me", "/api/v1/fleet/status/live_query"}) {
        auto r = get_authed(path, "whatever");
        EXPECT_EQ(r.status, 404) << path;
    }
    auto login = post("/api/v1/fleet/login", R"({"email":"a@b.c","password":"x"})");
    EXPECT_EQ(login.status, 404);
    EXPECT_EQ(login.json().at("errors").at(0).at("reason"), "404 page not found");
}

TEST_P(auth_test, setup_creates_admin_org_server_url_and_one_enroll_secret) {
    auto r = post("/api/v1/setup", setup_body());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.header("content-type").starts_with("application/json"));
    auto j = r.json().as_object();
    const auto& admin = j.at("admin").as_object();
    EXPECT_EQ(admin.at("email"), "ann@example.com");
    EXPECT_EQ(admin.at("name"), "Ann Admin");
    EXPECT_EQ(admin.at("global_role"), "admin");
    EXPECT_EQ(admin.at("teams"), bj::array{});
    EXPECT_EQ(admin.at("force_password_reset"), false);
    EXPECT_FALSE(admin.contains("password_hash"));
    EXPECT_FALSE(admin.contains("password"));
    EXPECT_EQ(j.at("org_info"),
              bj::parse(R"({"org_name":"Acme","org_logo_url":"https://acme.example/l.png"})"));
    EXPECT_EQ(j.at("server_url"), "https://fleet.example.com");
    EXPECT_TRUE(j.at("osquery_enroll_secret").is_null());
    EXPECT_EQ(j.at("token").as_string().size(), 88u);

    auto st = inspect();
    EXPECT_EQ(*st->count_users(), 1);
    auto stored = st->user_by_email("ann@example.com");
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->password_hash.starts_with("$argon2id$"));
    auto cfg = st->load_app_config();
    ASSERT_TRUE(cfg);
    EXPECT_EQ(cfg->server_url(), "https://fleet.example.com");
    EXPECT_EQ(cfg->org().org_name, "Acme");
    EXPECT_EQ(cfg->agent_options(), default_agent_options());
    auto secrets = st->global_enroll_secrets();
    ASSERT_TRUE(secrets);
    ASSERT_EQ(secrets->size(), 1u);
    EXPECT_EQ((*secrets)[0].secret.size(), 32u);

    // The token works straight away.
    auto me = get_authed("/api/v1/fleet/me", std::string(j.at("token").as_string()));
    EXPECT_EQ(me.status, 200) << me.body;
}

TEST_P(auth_test, after_setup_setup_is_404) {
    ASSERT_EQ(post("/api/v1/setup", setup_body()).status, 200);
    auto again = post("/api/v1/setup", setup_body());
    EXPECT_EQ(again.status, 404);
    auto empty = post("/api/v1/setup", "{}");
    EXPECT_EQ(empty.status, 404);
    EXPECT_EQ(*inspect()->count_users(), 1);
}

TEST_P(auth_test, setup_validation_errors_are_422_and_write_nothing) {
    auto missing_url =
        post("/api/v1/setup", R"({"admin":{"name":"a","email":"a@b.c","password":"p"}})");
    expect_error(missing_url, 422, "Validation Failed");
    EXPECT_EQ(missing_url.json().at("errors"),
              bj::parse(R"([{"name":"server_url","reason":"missing required argument"},
                            {"name":"server_url","reason":"url scheme must be https"}])"));

    auto http_url = post("/api/v1/setup", setup_body("http://fleet.example.com"));
    expect_error(http_url, 422, "Validation Failed");
    EXPECT_EQ(http_url.json().at("errors").at(0).at("reason"), "url scheme must be https");

    auto no_admin = post("/api/v1/setup", R"({"server_url":"https://x.example"})");
    expect_error(no_admin, 422, "Validation Failed");
    EXPECT_EQ(no_admin.json().at("errors").at(0).at("name"), "admin");

    auto empty_fields = post("/api/v1/setup", R"({"server_url":"https://x.example",
        "admin":{"name":"","email":"","password":""}})");
    expect_error(empty_fields, 422, "Validation Failed");
    EXPECT_EQ(empty_fields.json().at("errors").as_array().size(), 3u);

    expect_error(post("/api/v1/setup", "{not json"), 400, "Bad request");
    expect_error(post("/api/v1/setup", ""), 400, "Bad request");
    expect_error(post("/api/v1/setup", "[]"), 400, "Bad request");
    expect_error(post("/api/v1/setup", R"({"server_url":5})"), 400, "Bad request");
    expect_error(post("/api/v1/setup", R"({"server_url":"https://x.example","admin":"me"})"), 400,
                 "Bad request");

    auto st = inspect();
    EXPECT_EQ(*st->count_users(), 0);
    EXPECT_FALSE(st->load_app_config());
    EXPECT_TRUE(st->global_enroll_secrets()->empty());
    // Still not set up: the gate stays closed.
    EXPECT_EQ(get_authed("/api/v1/fleet/me", "x").status, 404);
}

TEST_P(auth_test, setup_accepts_http_for_localhost) {
    auto r = post("/api/v1/setup", setup_body("http://localhost:8080"));
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST_P(auth_test, login_me_and_logout) {
    srv_->setup();
    auto login = post("/api/v1/fleet/login", R"({"email":"ADMIN@example.com","password":")" +
                                                 std::string(admin_password) + "\"}");
    ASSERT_EQ(login.status, 200) << login.body;
    auto j = login.json().as_object();
    EXPECT_EQ(j.at("user").at("email"), admin_email);
    EXPECT_EQ(j.at("user").at("global_role"), "admin");
    EXPECT_EQ(j.at("available_teams"), bj::array{});
    const std::string token(j.at("token").as_string());
    EXPECT_EQ(token.size(), 88u);

    auto me = get_authed("/api/v1/fleet/me", token);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.json().at("user").at("email"), admin_email);
    EXPECT_EQ(me.json().at("user").at("id"), j.at("user").at("id"));
    EXPECT_EQ(me.json().at("available_teams"), bj::array{});

    auto out = http_once(srv_->port(), "POST", "/api/v1/fleet/logout", "",
                         {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(out.status, 200);
    EXPECT_EQ(out.json(), bj::object{});
    expect_error(get_authed("/api/v1/fleet/me", token), 401, "Authentication required");
}

TEST_P(auth_test, login_keys_match_case_insensitively) {
    srv_->setup();
    auto r = post("/api/v1/fleet/login", R"({"Email":"admin@example.com","PASSWORD":")" +
                                             std::string(admin_password) + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST_P(auth_test, bad_credentials_are_401_authentication_failed) {
    srv_->setup();
    expect_error(post("/api/v1/fleet/login", R"({"email":"admin@example.com","password":"wrong"})"),
                 401, "Authentication failed");
    expect_error(post("/api/v1/fleet/login", R"({"email":"nobody@example.com","password":"x"})"),
                 401, "Authentication failed");
    expect_error(post("/api/v1/fleet/login", R"({})"), 401, "Authentication failed");
    expect_error(post("/api/v1/fleet/login", "{\"email\":"), 400, "Bad request");
}

TEST_P(auth_test, missing_and_bad_tokens_are_401_with_fleets_messages) {
    srv_->setup();
    auto none = http_once(srv_->port(), "GET", "/api/v1/fleet/me");
    expect_error(none, 401, "Authorization header required");
    EXPECT_EQ(none.json().at("errors").at(0).at("reason"), "Authorization header required");
    expect_error(get_authed("/api/v1/fleet/me", "not-a-token"), 401, "Authentication required");
    expect_error(
        http_once(srv_->port(), "GET", "/api/v1/fleet/me", "", {{"Authorization", "Basic abc"}}),
        401, "Authorization header required");
    expect_error(
        http_once(srv_->port(), "GET", "/api/v1/fleet/me", "", {{"Authorization", "Bearer a b"}}),
        401, "Authorization header required");
    expect_error(http_once(srv_->port(), "POST", "/api/v1/fleet/logout"), 401,
                 "Authorization header required");
    expect_error(http_once(srv_->port(), "GET", "/api/v1/fleet/status/live_query"), 401,
                 "Authorization header required");
}

TEST_P(auth_test, the_bearer_scheme_is_case_insensitive) {
    const std::string token = srv_->setup();
    auto r = http_once(srv_->port(), "GET", "/api/v1/fleet/me", "",
                       {{"Authorization", "bEaReR " + token}});
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST_P(auth_test, sessions_expire_after_24h_unused_and_use_refreshes_them) {
    const std::string token = srv_->setup();
    srv_->advance(std::chrono::hours(23));
    ASSERT_EQ(get_authed("/api/v1/fleet/me", token).status, 200);
    srv_->advance(std::chrono::hours(23)); // 46 h after login, 23 h after last use
    ASSERT_EQ(get_authed("/api/v1/fleet/me", token).status, 200);
    srv_->advance(std::chrono::hours(24) + std::chrono::seconds(1));
    expect_error(get_authed("/api/v1/fleet/me", token), 401, "Authentication required");
    // An expired session is deleted, not merely refused.
    srv_->advance(-std::chrono::hours(48));
    expect_error(get_authed("/api/v1/fleet/me", token), 401, "Authentication required");
}

TEST_P(auth_test, login_is_rate_limited_per_client_address) {
    srv_->setup();
    const std::string bad = R"({"email":"admin@example.com","password":"wrong"})";
    for (int i = 0; i < 9; ++i)
        ASSERT_EQ(post("/api/v1/fleet/login", bad).status, 401) << i;
    auto limited = post("/api/v1/fleet/login", bad);
    expect_error(limited, 429, "limit exceeded, retry after: 6s");
    EXPECT_EQ(limited.header("retry-after"), "6");
    // Time refills the bucket.
    srv_->advance(std::chrono::seconds(6));
    EXPECT_EQ(post("/api/v1/fleet/login", bad).status, 401);
}

TEST_P(auth_test, status_endpoints_answer_200_empty_when_healthy) {
    const std::string token = srv_->setup();
    for (const char* path :
         {"/api/v1/fleet/status/live_query", "/api/v1/fleet/status/result_store"}) {
        auto r = get_authed(path, token);
        EXPECT_EQ(r.status, 200) << path;
        EXPECT_EQ(r.json(), bj::object{}) << path;
    }
}

TEST_P(auth_test, status_endpoints_report_a_stopped_live_query_service) {
    const std::string token = srv_->setup();
    srv_->stop_registry_for_test();
    for (const char* path :
         {"/api/v1/fleet/status/live_query", "/api/v1/fleet/status/result_store"}) {
        http_reply r;
        eventually( // the exit message is asynchronous
            [&] { return (r = get_authed(path, token)).status != 200; }, std::chrono::seconds(5),
            "the stopped registry to be reported");
        EXPECT_EQ(r.status, 500) << path;
        EXPECT_NE(std::string(r.json().at("message").as_string()).find("live query service"),
                  std::string::npos)
            << r.body;
    }
}

INSTANTIATE_TEST_SUITE_P(backends, auth_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
