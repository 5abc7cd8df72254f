#include "http/router.hpp"

#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::http;

namespace {

handler tag(std::string name, std::string* hit) {
    return [name, hit](const request&, const path_params&, responder) { *hit = name; };
}

struct router_test : ::testing::Test {
    router r;
    std::string hit;
    void SetUp() override {
        r.add("GET", "/api/v1/fleet/spec/queries", tag("list", &hit));
        r.add("POST", "/api/v1/fleet/spec/queries", tag("apply", &hit));
        r.add("GET", "/api/v1/fleet/spec/queries/{name}", tag("get", &hit));
    }
    void call(const router::match& m) {
        (*m.target)(request{}, m.params, [](response) {});
    }
};

} // namespace

TEST_F(router_test, matches_method_and_path) {
    auto m = r.find("POST", "/api/v1/fleet/spec/queries");
    ASSERT_NE(m.target, nullptr);
    call(m);
    EXPECT_EQ(hit, "apply");
}

TEST_F(router_test, path_parameters_are_percent_decoded) {
    auto m = r.find("GET", "/api/v1/fleet/spec/queries/a%20b%2Fc");
    ASSERT_NE(m.target, nullptr);
    call(m);
    EXPECT_EQ(hit, "get");
    EXPECT_EQ(m.params.at("name"), "a b/c");
}

TEST_F(router_test, the_query_string_is_not_part_of_the_path) {
    auto m = r.find("GET", "/api/v1/fleet/spec/queries?x=1");
    ASSERT_NE(m.target, nullptr);
    call(m);
    EXPECT_EQ(hit, "list");
}

TEST_F(router_test, unknown_path_is_route_not_found) {
    auto m = r.find("GET", "/api/v1/fleet/nope");
    EXPECT_EQ(m.target, nullptr);
    ASSERT_TRUE(m.failure);
    EXPECT_EQ(m.failure->code, errc::route_not_found);
}

TEST_F(router_test, known_path_with_wrong_method_is_method_not_allowed) {
    auto m = r.find("DELETE", "/api/v1/fleet/spec/queries");
    EXPECT_EQ(m.target, nullptr);
    ASSERT_TRUE(m.failure);
    EXPECT_EQ(m.failure->code, errc::method_not_allowed);
    auto p = r.find("POST", "/api/v1/fleet/spec/queries/x");
    ASSERT_TRUE(p.failure);
    EXPECT_EQ(p.failure->code, errc::method_not_allowed);
}

TEST_F(router_test, malformed_target_is_a_bad_request) {
    auto m = r.find("GET", "/api/v1/fleet/spec/queries/%zz");
    EXPECT_EQ(m.target, nullptr);
    ASSERT_TRUE(m.failure);
    EXPECT_EQ(m.failure->code, errc::bad_request);
}

TEST(router, decoded_segments_split_the_path) {
    auto s = decoded_segments("/a/b%21/c?q");
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, (std::vector<std::string>{"a", "b!", "c"}));
}

TEST_F(router_test, routes_lists_method_and_pattern_in_order) {
    r.add("GET", "/api/v1/fleet/results/", tag("greeting", &hit));
    const std::vector<std::pair<std::string, std::string>> want = {
        {"GET", "/api/v1/fleet/spec/queries"},
        {"POST", "/api/v1/fleet/spec/queries"},
        {"GET", "/api/v1/fleet/spec/queries/{name}"},
        {"GET", "/api/v1/fleet/results/"}};
    EXPECT_EQ(r.routes(), want);
}

TEST_F(router_test, a_parameter_that_decodes_to_invalid_utf8_is_a_bad_request) {
    for (const char* bad :
         {"%C0%AF", "%ED%A0%80", "%FF%FE", "%F4%90%80%80", "%E2%82", "a%80", "%F0%82%82%AC"}) {
        auto m = r.find("GET", std::string("/api/v1/fleet/spec/queries/") + bad);
        EXPECT_EQ(m.target, nullptr) << bad;
        ASSERT_TRUE(m.failure) << bad;
        EXPECT_EQ(m.failure->code, errc::bad_request) << bad;
    }
    for (const char* good : {"%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%00", "%F4%8F%BF%BF"}) {
        auto m = r.find("GET", std::string("/api/v1/fleet/spec/queries/") + good);
        EXPECT_NE(m.target, nullptr) << good;
    }
}
