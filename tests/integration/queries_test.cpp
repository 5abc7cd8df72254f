/// The saved query routes end to end on both stores (fleet-rest.md §5.3): the
/// query object's shape, listing with Fleet's list options, validation (422
/// naming the field), conflicts, modifying only what is sent, the three ways
/// to delete, ad-hoc queries kept out of sight, and the activities written.

#include "tests/integration/queries_fixture.hpp"

#include <algorithm>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

class queries_test : public queries_fixture {
protected:
    /// The newest `n` activities, newest first.
    bj::array last_activities(std::size_t n) {
        auto r = as_admin("GET", "/api/v1/fleet/activities?order_key=id&order_direction=desc");
        EXPECT_EQ(r.status, 200) << r.body;
        const auto v = r.json();
        bj::array all = v.at("activities").as_array();
        bj::array out;
        for (std::size_t i = 0; i < n && i < all.size(); ++i)
            out.push_back(all[i]);
        return out;
    }
    std::size_t activity_count() {
        auto r = as_admin("GET", "/api/v1/fleet/activities");
        const auto v = r.json();
        return v.at("activities").as_array().size();
    }
    /// An ad-hoc query, as a live query stores one.
    query adhoc() {
        auto admin = inspect_->user_by_email(admin_email);
        EXPECT_TRUE(admin);
        auto c = inspect_->new_campaign(std::nullopt, std::string("SELECT 'adhoc'"), *admin,
                                        target_selection{}, srv_->now());
        EXPECT_TRUE(c);
        return c ? c->second : query{};
    }
};

} // namespace

TEST_P(queries_test, a_created_query_has_fleets_shape_everywhere) {
    auto r = as_admin("POST", "/api/v1/fleet/queries",
                      R"({"name":"uptime","query":"SELECT * FROM uptime",
                          "description":"How long","observer_can_run":true,"interval":5})");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto created = r.json();
    const auto q = created.at("query").as_object();
    std::vector<std::string> keys;
    for (const auto& kv : q)
        keys.emplace_back(kv.key());
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"author_email", "author_id", "author_name", "created_at",
                                        "description", "id", "name", "observer_can_run", "packs",
                                        "query", "saved", "stats", "updated_at"}));
    const auto admin = inspect_->user_by_email(admin_email);
    ASSERT_TRUE(admin);
    EXPECT_EQ(q.at("name"), "uptime");
    EXPECT_EQ(q.at("query"), "SELECT * FROM uptime");
    EXPECT_EQ(q.at("description"), "How long");
    EXPECT_EQ(q.at("saved"), true);
    EXPECT_EQ(q.at("observer_can_run"), true);
    EXPECT_EQ(q.at("author_id"), admin->id);
    EXPECT_EQ(q.at("author_name"), "Admin");
    EXPECT_EQ(q.at("author_email"), admin_email);
    EXPECT_EQ(q.at("created_at"), bj::value(format_rfc3339(srv_->now())));
    EXPECT_EQ(q.at("updated_at"), bj::value(format_rfc3339(srv_->now())));
    EXPECT_EQ(q.at("packs"), bj::array{});
    EXPECT_EQ(q.at("stats"), bj::parse(R"({"system_time_p50":null,"system_time_p95":null,
        "user_time_p50":null,"user_time_p95":null,"total_executions":0})"));
    const auto id = q.at("id").as_int64();

    auto stored = inspect_->query_by_name("uptime");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->id, id);
    EXPECT_TRUE(stored->saved);
    EXPECT_EQ(stored->author_id, admin->id);

    auto one = as_admin("GET", "/api/v1/fleet/queries/" + std::to_string(id));
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.json(), created);
    auto list = as_admin("GET", "/api/v1/fleet/queries");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json(), (bj::value{{"queries", bj::array{q}}}));
    // The spec sees it too, and a pack that schedules it shows in its packs.
    auto spec = as_admin("GET", "/api/v1/fleet/spec/queries/uptime");
    EXPECT_EQ(spec.json().at("specs").at("query"), "SELECT * FROM uptime");
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/spec/packs",
                       R"({"specs":[{"name":"basics","queries":[{"query":"uptime",
                           "name":"uptime","interval":60}]}]})")
                  .status,
              200);
    one = as_admin("GET", "/api/latest/fleet/queries/" + std::to_string(id));
    const auto with_pack = one.json();
    ASSERT_EQ(with_pack.at("query").at("packs").as_array().size(), 1u);
    EXPECT_EQ(with_pack.at("query").at("packs").at(0).at("name"), "basics");
    EXPECT_EQ(with_pack.at("query").at("packs").at(0).at("disabled"), false);
    EXPECT_TRUE(with_pack.at("query").at("packs").at(0).at("id").is_int64());
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/queries/999999").status, 404);
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/queries/abc").status, 400);
    EXPECT_EQ(http_once(srv_->port(), "GET", "/api/v1/fleet/queries").status, 401);
}

TEST_P(queries_test, the_list_takes_fleets_list_options) {
    create("beta");
    create("alpha");
    create("gamma");
    using names = std::vector<std::string>;
    EXPECT_EQ(names_of(as_admin("GET", "/api/v1/fleet/queries")),
              (names{"beta", "alpha", "gamma"}));
    EXPECT_EQ(names_of(as_admin("GET", "/api/v1/fleet/queries?order_key=name")),
              (names{"alpha", "beta", "gamma"}));
    EXPECT_EQ(
        names_of(as_admin("GET", "/api/v1/fleet/queries?order_key=name&order_direction=desc")),
        (names{"gamma", "beta", "alpha"}));
    EXPECT_EQ(names_of(as_admin("GET", "/api/v1/fleet/queries?query=ALP")), (names{"alpha"}));
    EXPECT_EQ(names_of(as_admin("GET", "/api/v1/fleet/queries?order_key=name&page=1&per_page=2")),
              (names{"gamma"}));
    EXPECT_EQ(names_of(as_admin("GET", "/api/v1/fleet/queries?page=5&per_page=2")), names{});
    // Every query is global: a team (or current Fleet's fleet) filters nothing.
    const std::string blue = std::to_string(blue_);
    for (const std::string& q :
         std::vector<std::string>{"team_id=" + blue, "fleet_id=" + blue, "team_id=0",
                                  "team_id=" + blue + "&fleet_id=" + blue})
        EXPECT_EQ(names_of(as_admin("GET", "/api/latest/fleet/queries?" + q)).size(), 3u) << q;
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/queries?team_id=999999").status, 404);
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/queries?fleet_id=999999").status, 404);
    for (const char* bad : {"per_page=0", "page=-1", "order_key=bogus", "order_direction=up",
                            "team_id=x", "fleet_id=-1", "team_id=1&fleet_id=2"}) {
        auto r = as_admin("GET", std::string("/api/v1/fleet/queries?") + bad);
        EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    }
}

TEST_P(queries_test, bad_input_is_refused_and_writes_nothing) {
    expect_invalid(as_admin("POST", "/api/v1/fleet/queries", R"({"query":"SELECT 1"})"), "name");
    expect_invalid(as_admin("POST", "/api/v1/fleet/queries", R"({"name":"","query":"SELECT 1"})"),
                   "name");
    expect_invalid(
        as_admin("POST", "/api/v1/fleet/queries", R"({"name":" \t ","query":"SELECT 1"})"), "name");
    expect_invalid(as_admin("POST", "/api/v1/fleet/queries",
                            R"({"name":")" + std::string(256, 'n') + R"(","query":"SELECT 1"})"),
                   "name");
    expect_invalid(as_admin("POST", "/api/v1/fleet/queries", R"({"name":"q"})"), "query");
    expect_invalid(as_admin("POST", "/api/v1/fleet/queries", R"({"name":"q","query":"  "})"),
                   "query");
    auto attach = as_admin("POST", "/api/v1/fleet/queries",
                           R"({"name":"q","query":"ATTACH '/etc/x' AS x; SELECT 1"})");
    expect_invalid(attach, "query");
    EXPECT_EQ(attach.json().at("errors").at(0).at("reason"), "ATTACH not allowed in queries");
    auto both = as_admin("POST", "/api/v1/fleet/queries", "{}");
    expect_invalid(both, "name");
    EXPECT_EQ(both.json().at("errors").as_array().size(), 2u);
    for (const char* bad :
         {"{", "[1]", R"({"name":1,"query":"SELECT 1"})", R"({"name":"q","query":["SELECT 1"]})",
          R"({"name":"q","query":"SELECT 1","observer_can_run":"yes"})"}) {
        auto r = as_admin("POST", "/api/v1/fleet/queries", bad);
        EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    }
    EXPECT_EQ(stored_count(), 0u);
    const auto before = activity_count();

    // A taken name, saved or ad-hoc, is a conflict.
    create("taken");
    const auto dup = as_admin("POST", "/api/v1/fleet/queries", R"({"name":"taken","query":"S"})");
    EXPECT_EQ(dup.status, 409) << dup.body;
    EXPECT_EQ(dup.json().at("message"), "Resource Already Exists");
    const auto live = adhoc();
    bj::object clash{{"name", live.name}, {"query", "SELECT 1"}};
    EXPECT_EQ(as_admin("POST", "/api/v1/fleet/queries", bj::serialize(clash)).status, 409);
    EXPECT_EQ(stored_count(), 1u);
    EXPECT_EQ(activity_count(), before + 1); // only the one that was created
    EXPECT_EQ(http_once(srv_->port(), "POST", "/api/v1/fleet/queries", R"({"name":"x"})").status,
              401);
}

TEST_P(queries_test, patch_changes_only_what_is_sent) {
    const auto id = create("q", true);
    const auto other = create("other");
    const std::string path = "/api/v1/fleet/queries/" + std::to_string(id);
    const bj::value created_at(format_rfc3339(srv_->now()));
    srv_->advance(60s);
    auto r = as_admin("PATCH", path, R"({"description":"new words","name":null})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto q = r.json().at("query").as_object();
    EXPECT_EQ(q.at("name"), "q");
    EXPECT_EQ(q.at("description"), "new words");
    EXPECT_EQ(q.at("query"), "SELECT 'q'");
    EXPECT_EQ(q.at("observer_can_run"), true);
    EXPECT_EQ(q.at("created_at"), created_at);
    EXPECT_EQ(q.at("updated_at"), bj::value(format_rfc3339(srv_->now())));

    r = as_admin("PATCH", path, R"({"observer_can_run":false})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("query").at("observer_can_run"), false);
    r = as_admin("PATCH", path, R"({"name":"renamed","query":"SELECT 2"})");
    ASSERT_EQ(r.status, 200) << r.body;
    q = r.json().at("query").as_object();
    EXPECT_EQ(q.at("name"), "renamed");
    EXPECT_EQ(q.at("query"), "SELECT 2");
    EXPECT_EQ(q.at("description"), "new words");
    EXPECT_EQ(as_admin("PATCH", path, "{}").status, 200);
    auto stored = inspect_->query_by_name("renamed");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->id, id);
    EXPECT_EQ(stored->description, "new words");
    EXPECT_FALSE(stored->observer_can_run);

    expect_invalid(as_admin("PATCH", path, R"({"name":"  "})"), "name");
    expect_invalid(as_admin("PATCH", path, R"({"query":""})"), "query");
    expect_invalid(as_admin("PATCH", path, R"({"query":"attach 'x' as y"})"), "query");
    EXPECT_EQ(as_admin("PATCH", path, R"({"name":"other"})").status, 409);
    EXPECT_EQ(as_admin("PATCH", path, R"({"name":5})").status, 400);
    EXPECT_EQ(as_admin("PATCH", path, "[").status, 400);
    EXPECT_EQ(as_admin("PATCH", "/api/v1/fleet/queries/999999", R"({"name":"z"})").status, 404);
    EXPECT_EQ(as_admin("PATCH", "/api/v1/fleet/queries/x", R"({"name":"z"})").status, 400);
    EXPECT_EQ(inspect_->query_by_name("renamed")->sql, "SELECT 2");
    EXPECT_EQ(inspect_->query_by_name("other")->id, other);
}

TEST_P(queries_test, deleting_by_name_by_id_and_in_bulk) {
    const auto a = create("a");
    // DELETE /queries/{name} takes a name even when it looks like an id.
    const auto numeric = create(std::to_string(a));
    ASSERT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/" + std::to_string(a)).status, 200);
    EXPECT_TRUE(inspect_->query_by_name("a"));
    EXPECT_EQ(inspect_->saved_query_details_by_id(numeric).err().code, errc::not_found);
    auto r = as_admin("DELETE", "/api/v1/fleet/queries/id/" + std::to_string(a));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::object{});
    EXPECT_EQ(stored_count(), 0u);
    EXPECT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/a").status, 404);
    EXPECT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/id/999999").status, 404);
    EXPECT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/id/x").status, 400);

    const auto b = create("b"), c = create("c"), d = create("d");
    r = as_admin("POST", "/api/v1/fleet/queries/delete",
                 R"({"ids":[)" + std::to_string(b) + "," + std::to_string(c) + "," +
                     std::to_string(b) + "]}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), bj::parse(R"({"deleted":2})"));
    EXPECT_EQ(as_admin("POST", "/api/v1/fleet/queries/delete", R"({"ids":[]})").json(),
              bj::parse(R"({"deleted":0})"));
    // One unknown id: nothing is deleted.
    EXPECT_EQ(as_admin("POST", "/api/v1/fleet/queries/delete",
                       R"({"ids":[)" + std::to_string(d) + ",999999]}")
                  .status,
              404);
    for (const char* bad :
         {R"({"ids":[-1]})", R"({"ids":["1"]})", R"({"ids":1})", R"({"ids":[1.5]})", "{"})
        EXPECT_EQ(as_admin("POST", "/api/v1/fleet/queries/delete", bad).status, 400) << bad;
    ASSERT_EQ(stored_count(), 1u);
    EXPECT_TRUE(inspect_->saved_query_details_by_id(d));

    // A query a pack schedules leaves the pack with it.
    ASSERT_EQ(
        as_admin("POST", "/api/v1/fleet/spec/packs",
                 R"({"specs":[{"name":"p","queries":[{"query":"d","name":"d","interval":60}]}]})")
            .status,
        200);
    ASSERT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/d").status, 200);
    auto pack = inspect_->pack_spec_by_name("p");
    ASSERT_TRUE(pack);
    EXPECT_TRUE(pack->queries.empty());
}

TEST_P(queries_test, ad_hoc_queries_are_never_seen) {
    const auto live = adhoc();
    ASSERT_GT(live.id, 0);
    create("saved");
    const std::string id = std::to_string(live.id);
    EXPECT_EQ(names_of(as_admin("GET", "/api/v1/fleet/queries")),
              std::vector<std::string>{"saved"});
    EXPECT_EQ(as_admin("GET", "/api/v1/fleet/queries/" + id).status, 404);
    EXPECT_EQ(as_admin("PATCH", "/api/v1/fleet/queries/" + id, R"({"name":"mine"})").status, 404);
    EXPECT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/id/" + id).status, 404);
    EXPECT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/" + live.name).status, 404);
    EXPECT_EQ(as_admin("POST", "/api/v1/fleet/queries/delete", R"({"ids":[)" + id + "]}").status,
              404);
    EXPECT_TRUE(inspect_->query_by_id(live.id));
}

TEST_P(queries_test, each_change_is_an_activity) {
    const auto before = activity_count();
    const auto a = create("a");
    ASSERT_EQ(
        as_admin("PATCH", "/api/v1/fleet/queries/" + std::to_string(a), R"({"name":"a2"})").status,
        200);
    ASSERT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/a2").status, 200);
    const auto b = create("b");
    ASSERT_EQ(as_admin("DELETE", "/api/v1/fleet/queries/id/" + std::to_string(b)).status, 200);
    const auto c = create("c"), d = create("d");
    ASSERT_EQ(as_admin("POST", "/api/v1/fleet/queries/delete",
                       R"({"ids":[)" + std::to_string(d) + "," + std::to_string(c) + "]}")
                  .status,
              200);
    EXPECT_EQ(activity_count(), before + 8);
    const auto feed = last_activities(8);
    auto expect = [&](std::size_t newest_first, const char* type, const std::string& details) {
        const auto& act = feed.at(newest_first);
        EXPECT_EQ(act.at("type"), type) << bj::serialize(act);
        EXPECT_EQ(act.at("details"), bj::parse(details)) << bj::serialize(act);
        EXPECT_EQ(act.at("actor_email"), admin_email);
    };
    const auto s = [](std::int64_t i) { return std::to_string(i); };
    expect(7, "created_saved_query", R"({"query_id":)" + s(a) + R"(,"query_name":"a"})");
    expect(6, "edited_saved_query", R"({"query_id":)" + s(a) + R"(,"query_name":"a2"})");
    expect(5, "deleted_saved_query", R"({"query_name":"a2"})");
    expect(4, "created_saved_query", R"({"query_id":)" + s(b) + R"(,"query_name":"b"})");
    expect(3, "deleted_saved_query", R"({"query_name":"b"})");
    expect(0, "deleted_multiple_saved_query", R"({"query_ids":[)" + s(d) + "," + s(c) + "]}");
}

INSTANTIATE_TEST_SUITE_P(backends, queries_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
