#include "model/app_config.hpp"
#include "model/enroll_secret.hpp"
#include "model/host.hpp"
#include "model/label.hpp"
#include "model/pack.hpp"
#include "model/policy.hpp"
#include "model/query.hpp"
#include "model/secrets.hpp"
#include "model/team.hpp"
#include "model/text.hpp"
#include "model/user.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
namespace bj = boost::json;

TEST(model, user_json_has_fleets_keys) {
    user u;
    u.id = 3;
    u.created_at = seconds_to_micros(1'700'000'000);
    u.updated_at = u.created_at;
    u.name = "Ann";
    u.email = "ann@example.com";
    u.password_hash = "secret-hash";
    u.global_role = role::maintainer;
    auto j = to_json(u);
    EXPECT_EQ(j,
              bj::parse(R"({"created_at":"2023-11-14T22:13:20Z","updated_at":"2023-11-14T22:13:20Z",
        "id":3,"name":"Ann","email":"ann@example.com","force_password_reset":false,
        "gravatar_url":"","sso_enabled":false,"global_role":"maintainer","api_only":false,
        "teams":[]})"));
}

TEST(model, team_users_have_a_null_global_role_and_team_roles) {
    user u;
    u.position = "SRE";
    u.teams.push_back({4, "blue", "the blue team", role::observer});
    auto j = to_json(u).as_object();
    EXPECT_TRUE(j.at("global_role").is_null());
    EXPECT_EQ(j.at("position"), "SRE");
    EXPECT_EQ(
        j.at("teams"),
        bj::parse(R"([{"id":4,"name":"blue","description":"the blue team","role":"observer"}])"));
}

TEST(model, roles_round_trip) {
    for (auto r : {role::admin, role::maintainer, role::observer})
        EXPECT_EQ(role_from_string(to_string(r)), r);
    EXPECT_EQ(role_from_string("root"), std::nullopt);
}

TEST(model, server_url_rules_are_setups) {
    EXPECT_EQ(validate_server_url("").size(), 2u);
    auto http = validate_server_url("http://fleet.example.com");
    ASSERT_EQ(http.size(), 1u);
    EXPECT_EQ(http[0].reason, "url scheme must be https");
    EXPECT_TRUE(validate_server_url("http://localhost:8080").empty());
    EXPECT_TRUE(validate_server_url("https://fleet.example.com").empty());
    EXPECT_EQ(validate_server_url("not a url").size(), 1u);
}

TEST(model, default_agent_options_are_fleets) {
    auto a = default_agent_options();
    EXPECT_EQ(a.at("config").at("options").at("distributed_interval"), 10);
    EXPECT_EQ(a.at("config").at("options").at("logger_tls_endpoint"), "/api/v1/osquery/log");
    EXPECT_EQ(a.at("overrides"), bj::object{});
}

TEST(model, enroll_secret_json_omits_a_missing_team) {
    enroll_secret s{"abc", seconds_to_micros(0), std::nullopt};
    EXPECT_EQ(to_json(s), bj::parse(R"({"secret":"abc","created_at":"1970-01-01T00:00:00Z"})"));
    s.team_id = 2;
    EXPECT_EQ(to_json(s).at("team_id"), 2);
}

TEST(secrets, tokens_have_fleets_lengths_and_differ) {
    ASSERT_TRUE(init_secrets());
    auto a = random_base64(64), b = random_base64(64);
    EXPECT_EQ(a.size(), 88u);
    EXPECT_NE(a, b);
    EXPECT_EQ(random_base64(24).size(), 32u);
}

TEST(secrets, passwords_hash_with_argon2id_and_verify) {
    ASSERT_TRUE(init_secrets());
    auto h = hash_password("hunter2");
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->starts_with("$argon2id$")) << *h;
    EXPECT_TRUE(verify_password(*h, "hunter2"));
    EXPECT_FALSE(verify_password(*h, "hunter3"));
    EXPECT_FALSE(verify_password("garbage", "hunter2"));
}

TEST(secrets, constant_time_equal_compares_exactly) {
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "abcd"));
    EXPECT_EQ(digest_hex("x").size(), 64u);
    EXPECT_EQ(digest_hex("x"), digest_hex("x"));
    EXPECT_NE(digest_hex("x"), digest_hex("y"));
}

TEST(model, attach_is_the_words_attach_then_as_in_any_case) {
    EXPECT_TRUE(has_attach("ATTACH '/tmp/x' AS y"));
    EXPECT_TRUE(has_attach("select 1; attach\n'f'\tas x"));
    EXPECT_TRUE(has_attach("Attach(x)As"));
    EXPECT_FALSE(has_attach("select * from attachments as a"));
    EXPECT_FALSE(has_attach("select 1 as x; attach 'f'"));
    EXPECT_FALSE(has_attach("attachas"));
    EXPECT_FALSE(has_attach("attach 'f' has_x"));
    EXPECT_FALSE(has_attach(""));
}

TEST(model, attach_check_takes_a_long_query_without_running_out_of_stack) {
    // std::regex recursed once per character and crashed the server at 100 KB.
    std::string sql = "ATTACH ";
    for (int i = 0; i < 500'000; ++i)
        sql += "x ";
    EXPECT_FALSE(has_attach(sql));
    EXPECT_TRUE(has_attach(sql + "as"));
}

TEST(model, names_longer_than_the_stores_columns_are_field_errors) {
    // MySQL keeps them in VARCHAR(255): a longer one was a 500 there and fine on SQLite.
    const std::string ok(255, 'n'), too_long(256, 'n');
    std::string wide; // 255 two-byte characters: 510 bytes, still 255 characters
    for (int i = 0; i < 255; ++i)
        wide += "\xc3\xa9";
    EXPECT_TRUE(validate(query_spec{ok, "", "select 1", false}).empty());
    EXPECT_TRUE(validate(query_spec{wide, "", "select 1", false}).empty());
    auto q = validate(query_spec{too_long, "", "select 1", false});
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0].name, "name");
    EXPECT_EQ(q[0].reason, "query name is longer than 255 characters");

    label_spec l;
    l.name = "l";
    l.query = "select 1";
    l.platform = too_long;
    ASSERT_EQ(validate(l).size(), 1u);
    EXPECT_EQ(validate(l)[0].name, "platform");

    team_spec t;
    t.name = "t";
    t.secrets = {too_long};
    ASSERT_EQ(validate(t).size(), 1u);
    EXPECT_EQ(validate(t)[0].name, "secrets");

    pack_spec p;
    p.name = "p";
    p.queries.push_back({});
    p.queries[0].query = too_long;
    p.queries[0].name = "q";
    p.queries[0].version = too_long;
    EXPECT_EQ(validate(p).size(), 2u);

    policy_spec pol;
    pol.name = too_long;
    pol.query = "select 1";
    ASSERT_EQ(validate(pol).size(), 1u);
    EXPECT_EQ(validate(pol)[0].name, "name");
}

TEST(model, host_details_are_cut_to_the_stores_columns_at_a_character) {
    std::string wide;
    for (int i = 0; i < 300; ++i)
        wide += "\xc3\xa9";
    EXPECT_EQ(truncated(wide), wide.substr(0, 510));
    EXPECT_EQ(truncated("short"), "short");
    host h;
    ingest_detail(h, "system_info", {{{"hostname", std::string(1000, 'h')}, {"uuid", wide}}});
    EXPECT_EQ(h.hostname, std::string(255, 'h'));
    EXPECT_EQ(char_count(h.uuid), 255u);
}
