#include "http/rest_codec.hpp"
#include "model/json.hpp"

#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::http;

TEST(rest_codec, setup_reads_every_field_and_lower_cases_the_email) {
    auto s =
        decode_setup(R"({"server_url":"https://x.example","org_info":{"org_name":"Acme",)"
                     R"("org_logo_url":"l"},"admin":{"name":"A","email":"A@B.C","password":"p"}})");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->server_url, "https://x.example");
    EXPECT_EQ(s->org.org_name, "Acme");
    EXPECT_EQ(s->org.org_logo_url, "l");
    EXPECT_TRUE(s->has_admin);
    EXPECT_EQ(s->email, "a@b.c");
    EXPECT_EQ(s->password, "p");
    EXPECT_EQ(s->name, "A");
}

TEST(rest_codec, setup_with_a_wrong_type_is_a_bad_request_naming_the_field) {
    auto s = decode_setup(R"({"admin":{"email":5}})");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.err().code, errc::bad_request);
    EXPECT_EQ(s.err().message,
              "json: cannot unmarshal number into field admin.email of type string");
    EXPECT_FALSE(decode_setup(R"({"admin":"me"})"));
    EXPECT_FALSE(decode_setup("[]"));
}

TEST(rest_codec, login_matches_keys_case_insensitively) {
    auto l = decode_login(R"({"EMAIL":"A@B.C","Password":"x"})");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->email, "a@b.c");
    EXPECT_EQ(l->password, "x");
    auto wrong = decode_login(R"({"email":5})");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->email, "");
    auto bad = decode_login("{");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.err().code, errc::bad_request);
}

TEST(rest_codec, run_reads_ids_or_names) {
    auto ids = decode_run(R"({"query":"SELECT 1","selected":{"hosts":[1,2],"labels":[3],)"
                          R"("teams":[4]}})",
                          false);
    ASSERT_TRUE(ids);
    EXPECT_EQ(ids->sql, "SELECT 1");
    EXPECT_EQ(ids->query_id, std::nullopt);
    EXPECT_EQ(ids->selected.host_ids, (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(ids->selected.label_ids, (std::vector<std::int64_t>{3}));
    EXPECT_EQ(ids->selected.team_ids, (std::vector<std::int64_t>{4}));
    auto names = decode_run(R"({"query_id":7,"selected":{"hosts":["h"],"labels":["l"]}})", true);
    ASSERT_TRUE(names);
    EXPECT_EQ(names->query_id, 7);
    EXPECT_EQ(names->selected.hostnames, (std::vector<std::string>{"h"}));
    EXPECT_EQ(names->selected.label_names, (std::vector<std::string>{"l"}));
}

TEST(rest_codec, run_with_a_wrong_type_is_a_bad_request) {
    auto e = decode_run(R"({"selected":{"hosts":"x"}})", false);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.err().message, "selected.hosts must be an array");
    auto s = decode_run(R"({"selected":{"hosts":[1]}})", true);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.err().message, "selected.hosts must hold strings");
    auto q = decode_run(R"({"query_id":1e300})", false);
    ASSERT_FALSE(q);
    EXPECT_EQ(q.err().code, errc::bad_request);
}

TEST(rest_codec, enroll_secrets_need_a_spec_of_secret_objects) {
    auto ok = json::parse_object(R"({"spec":{"secrets":[{"secret":"a"},{"secret":"b"}]}})");
    ASSERT_TRUE(ok);
    auto s = decode_enroll_secrets(*ok);
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, (std::vector<std::string>{"a", "b"}));
    for (const char* body : {R"({})", R"({"spec":5})", R"({"spec":{"secrets":["x"]}})",
                             R"({"spec":{"secrets":{}}})"}) {
        auto o = json::parse_object(body);
        ASSERT_TRUE(o);
        auto r = decode_enroll_secrets(*o);
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.err().code, errc::bad_request) << body;
    }
}
