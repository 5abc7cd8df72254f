#include "http/errors.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::http;
namespace bj = boost::json;

TEST(errors, every_code_has_its_status) {
    const std::pair<errc, int> expected[] = {
        {errc::invalid_argument, 422},  {errc::bad_request, 400},
        {errc::not_found, 404},         {errc::already_exists, 409},
        {errc::permission_denied, 403}, {errc::missing_token, 401},
        {errc::bad_token, 401},         {errc::reset_required, 401},
        {errc::login_failed, 401},      {errc::rate_limited, 429},
        {errc::node_invalid, 401},      {errc::payload_too_large, 413},
        {errc::route_not_found, 404},   {errc::method_not_allowed, 405},
        {errc::backend_failure, 500},   {errc::timeout, 500},
        {errc::unavailable, 503},
    };
    for (auto [code, status] : expected)
        EXPECT_EQ(status_of(code), status) << static_cast<int>(code);
}

TEST(errors, validation_errors_carry_every_field) {
    auto r = to_response({errc::invalid_argument,
                          "Validation Failed",
                          {{"server_url", "missing required argument"},
                           {"server_url", "url scheme must be https"}}});
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(bj::parse(r.body), bj::parse(R"({"message":"Validation Failed","errors":[
                {"name":"server_url","reason":"missing required argument"},
                {"name":"server_url","reason":"url scheme must be https"}]})"));
}

TEST(errors, bad_request_puts_its_text_in_the_base_reason) {
    auto r = to_response(error::bad_request("json decoder error: x"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(
        bj::parse(r.body),
        bj::parse(
            R"({"message":"Bad request","errors":[{"name":"base","reason":"json decoder error: x"}]})"));
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
}

TEST(errors, auth_errors_use_fleets_messages) {
    auto missing = bj::parse(to_response({errc::missing_token, "", {}}).body);
    EXPECT_EQ(missing.at("message"), "Authorization header required");
    EXPECT_EQ(missing.at("errors").at(0).at("reason"), "Authorization header required");
    auto bad = bj::parse(to_response({errc::bad_token, "", {}}).body);
    EXPECT_EQ(bad.at("message"), "Authentication required");
    auto failed = bj::parse(to_response({errc::login_failed, "", {}}).body);
    EXPECT_EQ(failed.at("message"), "Authentication failed");
}

TEST(errors, not_found_names_the_thing) {
    auto r = to_response(error::not_found("Query", "foo"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(
        bj::parse(r.body),
        bj::parse(
            R"({"message":"Resource Not Found","errors":[{"name":"base","reason":"Query foo was not found in the datastore"}]})"));
}

TEST(errors, permission_denied_is_fleets_forbidden_body) {
    auto r = to_response({errc::permission_denied, "", {}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(
        bj::parse(r.body),
        bj::parse(R"({"message":"forbidden","errors":[{"name":"base","reason":"forbidden"}]})"));
}

TEST(errors, rate_limited_sets_retry_after) {
    error e{errc::rate_limited, "", {}, 7};
    auto r = to_response(e);
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(bj::parse(r.body).at("message"), "limit exceeded, retry after: 7s");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "7"}));
}

TEST(errors, node_invalid_uses_the_osquery_body) {
    auto r = to_response({errc::node_invalid, "authentication error: missing node key", {}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(
        bj::parse(r.body),
        bj::parse(R"({"error":"authentication error: missing node key","node_invalid":true})"));
}
