/// Current Fleet's spellings (fleet-rest.md §8.2) on both stores: every saved
/// query route also answers as /reports with the same keys, `fleet_id` stands
/// for `team_id`; and names in paths that fleetctl escapes twice
/// (notes/fleetctl-wire.md §1) are found whether escaped once or twice.

#include "tests/integration/queries_fixture.hpp"

#include <cctype>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class queries_aliases_test : public queries_fixture {};

/// What fleetctl sends for `name`: url.PathEscape, then escaped again by
/// URL.String (every '%' becomes %25).
std::string fleetctl_escaped(const std::string& name) {
    std::string once;
    for (unsigned char c : name) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            once += static_cast<char>(c);
        } else {
            static const char* hex = "0123456789ABCDEF";
            once += '%';
            once += hex[c >> 4];
            once += hex[c & 15];
        }
    }
    std::string twice;
    for (char c : once)
        twice += c == '%' ? std::string("%25") : std::string(1, c);
    return twice;
}

} // namespace

TEST_P(queries_aliases_test, reports_are_queries_under_current_fleets_name) {
    for (const std::string prefix : {"/api/latest/fleet", "/api/v1/fleet"}) {
        auto r = as_admin("POST", prefix + "/reports", R"({"name":"r","query":"SELECT 1"})");
        ASSERT_EQ(r.status, 200) << prefix << " " << r.body;
        const auto created = r.json();
        const auto id = std::to_string(created.at("query").at("id").as_int64());
        auto list = as_admin("GET", prefix + "/reports?query=r");
        ASSERT_EQ(list.status, 200) << list.body;
        EXPECT_EQ(names_of(list), std::vector<std::string>{"r"});
        EXPECT_EQ(as_admin("GET", prefix + "/reports/" + id).json(), created);
        r = as_admin("PATCH", prefix + "/reports/" + id, R"({"description":"d"})");
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.json().at("query").at("description"), "d");
        ASSERT_EQ(as_admin("DELETE", prefix + "/reports/r").status, 200);
        EXPECT_EQ(stored_count(), 0u);

        const auto a = create("a"), b = create("b");
        ASSERT_EQ(as_admin("DELETE", prefix + "/reports/id/" + std::to_string(a)).status, 200);
        r = as_admin("POST", prefix + "/reports/delete", R"({"ids":[)" + std::to_string(b) + "]}");
        EXPECT_EQ(r.json(), bj::parse(R"({"deleted":1})"));
        EXPECT_EQ(stored_count(), 0u);

        // The spec routes, with the spec keys.
        ASSERT_EQ(as_admin("POST", prefix + "/spec/reports",
                           R"({"specs":[{"name":"s","query":"SELECT 2","description":"x"}]})")
                      .status,
                  200);
        EXPECT_EQ(as_admin("GET", prefix + "/spec/reports").json(),
                  bj::parse(R"({"specs":[{"name":"s","description":"x","query":"SELECT 2"}]})"));
        EXPECT_EQ(as_admin("GET", prefix + "/spec/reports/s").json(),
                  bj::parse(R"({"specs":{"name":"s","description":"x","query":"SELECT 2"}})"));
        EXPECT_EQ(as_admin("GET", prefix + "/spec/reports/nope").status, 404);
        ASSERT_EQ(as_admin("DELETE", prefix + "/reports/s").status, 200);
    }
}

TEST_P(queries_aliases_test, fleet_id_stands_for_team_id) {
    make_user_with_token(*inspect_, "b@example.com", std::nullopt, {{blue_, role::observer}});
    make_user_with_token(*inspect_, "r@example.com", std::nullopt, {{red_, role::observer}});
    auto emails = [&](const std::string& query) {
        std::vector<std::string> out;
        auto r = as_admin("GET", "/api/latest/fleet/users?" + query);
        EXPECT_EQ(r.status, 200) << query << " " << r.body;
        const auto v = r.json();
        for (const auto& u : v.at("users").as_array())
            out.emplace_back(u.at("email").as_string());
        return out;
    };
    const std::vector<std::string> blue{"b@example.com"};
    EXPECT_EQ(emails("team_id=" + std::to_string(blue_)), blue);
    EXPECT_EQ(emails("fleet_id=" + std::to_string(blue_)), blue);
    EXPECT_EQ(as_admin("GET", "/api/latest/fleet/users?team_id=" + std::to_string(blue_) +
                                  "&fleet_id=" + std::to_string(red_))
                  .status,
              400);
    auto summary =
        as_admin("GET", "/api/latest/fleet/host_summary?fleet_id=" + std::to_string(red_));
    ASSERT_EQ(summary.status, 200) << summary.body;
    EXPECT_EQ(summary.json().at("team_id"), red_);
}

TEST_P(queries_aliases_test, names_escaped_twice_or_once_are_found) {
    // A space and a '%' (which fleetctl sends as %2520 and %2525), and a name
    // that itself reads like an escape.
    const std::string odd = "cpu 100%";
    const std::string literal = "x%41";
    create(odd);
    create(literal);
    create("xA");
    ASSERT_EQ(fleetctl_escaped(odd), "cpu%2520100%2525");
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/labels",
                       R"({"specs":[{"name":"cpu 100%","query":"SELECT 1"},
                                    {"name":"x%41","query":"SELECT 2"}]})")
                  .status,
              200);
    ASSERT_EQ(
        as_admin("POST", "/api/v1/fleet/spec/packs", R"({"specs":[{"name":"cpu 100%"}]})").status,
        200);
    for (const std::string spec : {"/api/v1/fleet/spec/queries/", "/api/latest/fleet/spec/reports/",
                                   "/api/v1/fleet/spec/labels/", "/api/v1/fleet/spec/packs/"}) {
        for (const std::string& target : {fleetctl_escaped(odd), std::string("cpu%20100%25")}) {
            auto r = as_admin("GET", spec + target);
            ASSERT_EQ(r.status, 200) << spec + target << " " << r.body;
            EXPECT_EQ(r.json().at("specs").at("name"), bj::value(odd)) << spec + target;
        }
    }
    // Once-decoded first: "x%2541" is the name x%41, not xA.
    for (const std::string& target : {std::string("x%2541"), fleetctl_escaped(literal)}) {
        auto r = as_admin("GET", "/api/v1/fleet/spec/queries/" + target);
        EXPECT_EQ(r.json().at("specs").at("name"), bj::value(literal)) << target;
        r = as_admin("GET", "/api/v1/fleet/spec/labels/" + target);
        EXPECT_EQ(r.json().at("specs").at("name"), bj::value(literal)) << target;
    }
    auto missing = as_admin("GET", "/api/v1/fleet/spec/queries/" + fleetctl_escaped("no such"));
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.json().at("errors").at(0).at("reason"),
              "Query no such was not found in the datastore");

    // Deleting by name: twice escaped (fleetctl), then once (curl).
    ASSERT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/" + fleetctl_escaped(odd)).status, 200);
    EXPECT_EQ(inspect_->query_by_name(odd).err().code, errc::not_found);
    ASSERT_EQ(as_admin("DELETE", "/api/latest/fleet/reports/x%2541").status, 200);
    EXPECT_EQ(inspect_->query_by_name(literal).err().code, errc::not_found);
    EXPECT_TRUE(inspect_->query_by_name("xA"));
    ASSERT_EQ(as_admin("DELETE", "/api/v1/fleet/labels/" + fleetctl_escaped(odd)).status, 200);
    EXPECT_EQ(inspect_->label_spec_by_name(odd).err().code, errc::not_found);
    ASSERT_EQ(as_admin("DELETE", "/api/latest/fleet/labels/x%2541").status, 200);
    EXPECT_EQ(inspect_->label_spec_by_name(literal).err().code, errc::not_found);
}

INSTANTIATE_TEST_SUITE_P(backends, queries_aliases_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
