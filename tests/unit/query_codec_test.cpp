/// The saved query routes' pieces that need no server: the body decoders,
/// the names a `{name}` segment may stand for, team_id/fleet_id, the query
/// object, and who sees only observer queries.

#include "http/query_codec.hpp"
#include "http/query_params.hpp"
#include "model/query.hpp"
#include "service/queries.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::http;
namespace bj = boost::json;

TEST(query_codec, a_payload_reads_what_is_given_and_leaves_the_rest_absent) {
    auto p = decode_query_payload(
        R"({"name":"n","query":"SELECT 1","observer_can_run":true,"interval":5})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, "n");
    EXPECT_EQ(p->sql, "SELECT 1");
    EXPECT_EQ(p->description, std::nullopt);
    EXPECT_EQ(p->observer_can_run, true);
    p = decode_query_payload(R"({"name":null,"description":""})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, std::nullopt);
    EXPECT_EQ(p->description, "");
    for (const char* bad : {R"({"name":1})", R"({"query":{}})", R"({"observer_can_run":"true"})",
                            R"({"description":[]})", "[]", "", "{"}) {
        auto r = decode_query_payload(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.err().code, errc::bad_request) << bad;
    }
}

TEST(query_codec, ids_are_whole_numbers_from_zero) {
    auto ids = decode_query_ids(R"({"ids":[3,0,9223372036854775807,3]})");
    ASSERT_TRUE(ids);
    EXPECT_EQ(*ids, (std::vector<std::int64_t>{3, 0, INT64_MAX, 3}));
    for (const char* none : {"{}", R"({"ids":null})", R"({"ids":[]})"}) {
        ids = decode_query_ids(none);
        ASSERT_TRUE(ids) << none;
        EXPECT_TRUE(ids->empty()) << none;
    }
    for (const char* bad :
         {R"({"ids":[-1]})", R"({"ids":[2.0]})", R"({"ids":["1"]})", R"({"ids":[null]})",
          R"({"ids":[9223372036854775808]})", R"({"ids":{"a":1}})", R"({"ids":1})", "[1]"}) {
        auto r = decode_query_ids(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.err().code, errc::bad_request) << bad;
    }
}

TEST(query_codec, a_name_segment_stands_for_itself_then_for_its_decoding) {
    using names = std::vector<std::string>;
    EXPECT_EQ(name_candidates("plain"), names{"plain"});
    EXPECT_EQ(name_candidates("a b"), names{"a b"});
    EXPECT_EQ(name_candidates("cpu%20100%25"), (names{"cpu%20100%25", "cpu 100%"}));
    EXPECT_EQ(name_candidates("x%41"), (names{"x%41", "xA"}));
    EXPECT_EQ(name_candidates("a%2Fb"), (names{"a%2Fb", "a/b"}));
    EXPECT_EQ(name_candidates("a+b%2B"), (names{"a+b%2B", "a+b+"})); // '+' is not a space
    // Not valid percent-encoding, or decoding to bytes that are not UTF-8: itself only.
    EXPECT_EQ(name_candidates("100%"), names{"100%"});
    EXPECT_EQ(name_candidates("%zz"), names{"%zz"});
    EXPECT_EQ(name_candidates("%C0%AF"), names{"%C0%AF"});
    EXPECT_EQ(name_candidates("%ED%A0%80"), names{"%ED%A0%80"});
}

TEST(query_codec, first_found_tries_each_name_until_one_is_not_missing) {
    const std::vector<std::string> names{"a%20b", "a b"};
    std::vector<std::string> tried;
    auto found = first_found(names, [&](const std::string& n) -> expected<int> {
        tried.push_back(n);
        if (n == "a b")
            return 7;
        return error::not_found("Query", n);
    });
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, 7);
    EXPECT_EQ(tried, names);
    // Another error ends the search; a last not_found names the last name.
    tried.clear();
    auto denied = first_found(names, [&](const std::string& n) -> expected<int> {
        tried.push_back(n);
        return error{errc::permission_denied, "forbidden", {}};
    });
    EXPECT_EQ(denied.err().code, errc::permission_denied);
    EXPECT_EQ(tried.size(), 1u);
    auto missing = first_found(
        names, [&](const std::string& n) -> expected<int> { return error::not_found("Query", n); });
    EXPECT_EQ(missing.err().message, "Query a b was not found in the datastore");
}

TEST(query_codec, fleet_id_is_team_id) {
    auto team = [](const char* target) { return query_params::of(target)->team_id(); };
    EXPECT_EQ(*team("/q"), std::nullopt);
    EXPECT_EQ(*team("/q?team_id=3"), 3);
    EXPECT_EQ(*team("/q?fleet_id=4"), 4);
    EXPECT_EQ(*team("/q?team_id=5&fleet_id=5"), 5);
    for (const char* bad : {"/q?team_id=1&fleet_id=2", "/q?fleet_id=x", "/q?team_id=-1"}) {
        auto r = team(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.err().code, errc::bad_request) << bad;
    }
}

TEST(query_codec, blank_names_and_sql_are_invalid_in_specs_too) {
    EXPECT_TRUE(is_blank(""));
    EXPECT_TRUE(is_blank(" \t\r\n"));
    EXPECT_FALSE(is_blank(" x "));
    auto errors = validate(query_spec{"  ", "", "\n", false});
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].name, "name");
    EXPECT_EQ(errors[1].name, "query");
}

TEST(query_codec, the_query_object_lists_its_packs_and_null_author) {
    query_details d;
    d.q = {7, "n", "d", "SELECT 1", true, false, std::nullopt, 0, 1'000'000};
    d.packs.push_back({3, "p", "", "darwin", true, std::string("global"), 0, 0});
    const bj::value v = to_json(d);
    EXPECT_EQ(v.at("author_id"), nullptr);
    EXPECT_EQ(v.at("created_at"), "1970-01-01T00:00:00Z");
    EXPECT_EQ(v.at("updated_at"), "1970-01-01T00:00:01Z");
    EXPECT_EQ(v.at("packs"), bj::parse(R"([{"created_at":"1970-01-01T00:00:00Z",
        "updated_at":"1970-01-01T00:00:00Z","id":3,"name":"p","platform":"darwin",
        "disabled":true,"type":"global"}])"));
}

TEST(query_codec, observers_and_observer_only_team_users_see_only_runnable_queries) {
    auto with = [](std::optional<role> global, std::vector<role> teams) {
        user u;
        u.global_role = global;
        std::int64_t id = 1;
        for (auto r : teams)
            u.teams.push_back({id++, "", "", r});
        return service::sees_only_observer_queries(u);
    };
    EXPECT_TRUE(with(role::observer, {}));
    EXPECT_FALSE(with(role::maintainer, {}));
    EXPECT_FALSE(with(role::admin, {}));
    EXPECT_TRUE(with(std::nullopt, {role::observer}));
    EXPECT_TRUE(with(std::nullopt, {role::observer, role::observer}));
    EXPECT_FALSE(with(std::nullopt, {role::observer, role::maintainer}));
    EXPECT_FALSE(with(std::nullopt, {role::admin}));
    EXPECT_TRUE(with(std::nullopt, {})); // no role at all: the narrowest view
}
