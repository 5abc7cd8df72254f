/// The check-in rules of the host registry, called without an actor.

#include "actors/host_registry.hpp"

#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::actors;
using namespace std::chrono_literals;

namespace {

struct registry_test : ::testing::Test {
    micros now = seconds_to_micros(1'800'000'000);
    host_registry_state reg;

    void SetUp() override {
        checkin_settings s;
        s.max_jitter = 0; // exact due times
        s.clock = [this] { return now; };
        host h;
        h.id = 1;
        h.node_key = "key-1";
        h.hostname = "one";
        h.platform = "ubuntu";
        h.detail_updated_at = h.label_updated_at = h.policy_updated_at = 86'400'000'000;
        reg.init(s, {h});
        storage::query_catalog c;
        c.labels = {{6, "select 1;", ""},
                    {7, "select 1 from os_version where platform = 'darwin';", "darwin"},
                    {8, "ubuntu only", "ubuntu"}};
        c.policies = {{1, "global", std::nullopt, ""},
                      {2, "mac policy", std::nullopt, "darwin"},
                      {3, "team 5 policy", 5, ""},
                      {4, "linux policy", std::nullopt, "windows,linux"}};
        reg.set_catalog(c);
    }
    std::vector<std::string> due() {
        std::vector<std::string> out;
        auto answer = reg.read("key-1");
        for (auto& [name, sql] : answer->queries)
            out.push_back(name);
        return out;
    }
    static bool has(const std::vector<std::string>& v, const char* s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    }
};

} // namespace

TEST_F(registry_test, unknown_and_missing_keys_are_node_invalid) {
    auto r = reg.read("nope");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::node_invalid);
    EXPECT_EQ(r.err().message, "authentication error: invalid node key: nope");
    EXPECT_EQ(reg.authenticate("").err().message, "authentication error: missing node key");
}

TEST_F(registry_test, a_new_host_gets_details_matching_labels_and_policies) {
    auto d = due();
    EXPECT_TRUE(has(d, "fleet_detail_query_os_version"));
    EXPECT_TRUE(has(d, "fleet_label_query_6"));
    EXPECT_FALSE(has(d, "fleet_label_query_7")); // darwin only
    EXPECT_TRUE(has(d, "fleet_label_query_8"));
    EXPECT_TRUE(has(d, "fleet_policy_query_1"));
    EXPECT_FALSE(has(d, "fleet_policy_query_2")); // darwin
    EXPECT_FALSE(has(d, "fleet_policy_query_3")); // another team
    EXPECT_TRUE(has(d, "fleet_policy_query_4"));  // linux family
    EXPECT_FALSE(reg.read("key-1")->accelerate);
}

TEST_F(registry_test, answers_route_by_prefix_and_push_the_due_times) {
    auto fx =
        reg.write("key-1", {{"fleet_detail_query_uptime", {{{"total_seconds", "5"}}}, false, ""},
                            {"fleet_detail_query_os_version", {}, true, "failed"},
                            {"fleet_label_query_6", {{{"1", "1"}}}, false, ""},
                            {"fleet_label_query_8", {{{"1", "1"}}}, true, "err"},
                            {"fleet_policy_query_1", {}, false, ""},
                            {"fleet_policy_query_4", {}, true, "err"},
                            {"fleet_label_query_x", {}, false, ""},
                            {"something_else", {}, false, ""}});
    ASSERT_TRUE(fx);
    EXPECT_EQ(fx->host_id, 1);
    ASSERT_EQ(fx->details.size(), 1u); // the failed detail is not ingested
    EXPECT_EQ(fx->details[0].first, "uptime");
    EXPECT_EQ(fx->labels, (std::vector<std::pair<std::int64_t, bool>>{{6, true}, {8, false}}));
    ASSERT_EQ(fx->policies.size(), 2u);
    EXPECT_EQ(fx->policies[0].passes, false);
    EXPECT_EQ(fx->policies[1].passes, std::nullopt);
    EXPECT_TRUE(due().empty());
    now += seconds_to_micros(3599);
    EXPECT_TRUE(due().empty());
    now += seconds_to_micros(1);
    EXPECT_FALSE(due().empty());
}

TEST_F(registry_test, seen_times_are_collected_once) {
    now += 5;
    ASSERT_TRUE(reg.authenticate("key-1"));
    auto seen = reg.take_seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0], (std::pair<std::int64_t, micros>{1, now}));
    EXPECT_TRUE(reg.take_seen().empty());
}

TEST_F(registry_test, reenrolling_forgets_the_old_key) {
    host h;
    h.id = 1;
    h.node_key = "key-2";
    h.platform = "darwin";
    reg.register_host(h, "key-1");
    EXPECT_FALSE(reg.read("key-1"));
    auto r = reg.read("key-2");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->accelerate); // no hostname yet
    EXPECT_EQ(reg.size(), 1u);
    reg.host_updated(1, "darwin", "two", 60);
    EXPECT_FALSE(reg.read("key-2")->accelerate);
}

TEST_F(registry_test, a_refetch_makes_details_due_at_once) {
    host h;
    h.id = 2;
    h.node_key = "key-r";
    h.hostname = "r";
    h.platform = "ubuntu";
    h.detail_updated_at = h.label_updated_at = h.policy_updated_at = now;
    h.refetch_requested = true;
    reg.register_host(h, "");
    auto r = reg.read("key-r");
    ASSERT_TRUE(r);
    ASSERT_FALSE(r->queries.empty());
    for (auto& [name, sql] : r->queries)
        EXPECT_TRUE(name.starts_with("fleet_detail_query_")) << name;
}

namespace {

/// Answers every label and policy query the host is given now.
void answer_all(host_registry_state& reg, const std::string& key) {
    std::vector<query_result> results;
    auto answer = reg.read(key);
    ASSERT_TRUE(answer);
    for (auto& [name, sql] : answer->queries)
        if (name.starts_with("fleet_label_query_") || name.starts_with("fleet_policy_query_"))
            results.push_back({name, {}, false, ""});
    ASSERT_TRUE(reg.write(key, results));
}

} // namespace

TEST_F(registry_test, a_new_or_changed_catalogue_entry_is_asked_at_once_the_rest_waits) {
    answer_all(reg, "key-1");
    auto nothing = due();
    EXPECT_FALSE(has(nothing, "fleet_label_query_6"));
    EXPECT_FALSE(has(nothing, "fleet_policy_query_1"));

    storage::query_catalog c;
    c.labels = {{6, "select 1;", ""},
                {8, "ubuntu only, changed", "ubuntu"},
                {9, "new", ""},
                {10, "new but darwin", "darwin"}};
    c.policies = {{1, "global", std::nullopt, ""}, {5, "new policy", std::nullopt, ""}};
    reg.set_catalog(c);
    auto d = due();
    EXPECT_FALSE(has(d, "fleet_label_query_6"));  // unchanged: not due for an hour
    EXPECT_TRUE(has(d, "fleet_label_query_8"));   // changed
    EXPECT_TRUE(has(d, "fleet_label_query_9"));   // new
    EXPECT_FALSE(has(d, "fleet_label_query_10")); // another platform
    EXPECT_FALSE(has(d, "fleet_policy_query_1"));
    EXPECT_TRUE(has(d, "fleet_policy_query_5"));
    // Asked until answered; answering them does not move the next full round.
    EXPECT_TRUE(has(due(), "fleet_label_query_9"));
    answer_all(reg, "key-1");
    EXPECT_FALSE(has(due(), "fleet_label_query_9"));
    EXPECT_FALSE(has(due(), "fleet_policy_query_5"));
    now += seconds_to_micros(3600);
    auto full = due();
    EXPECT_TRUE(has(full, "fleet_label_query_6"));
    EXPECT_TRUE(has(full, "fleet_label_query_9"));
    EXPECT_TRUE(has(full, "fleet_policy_query_1"));
}

TEST_F(registry_test, the_first_catalogue_is_the_baseline_and_a_reload_unchanged_asks_nothing) {
    answer_all(reg, "key-1");
    storage::query_catalog same;
    same.labels = {{6, "select 1;", ""},
                   {7, "select 1 from os_version where platform = 'darwin';", "darwin"},
                   {8, "ubuntu only", "ubuntu"}};
    same.policies = {{1, "global", std::nullopt, ""},
                     {2, "mac policy", std::nullopt, "darwin"},
                     {3, "team 5 policy", 5, ""},
                     {4, "linux policy", std::nullopt, "windows,linux"}};
    reg.set_catalog(same); // the periodic reload
    for (const auto& name : due())
        EXPECT_FALSE(name.starts_with("fleet_label_query_") ||
                     name.starts_with("fleet_policy_query_"))
            << name;
}

TEST_F(registry_test, deleted_hosts_are_forgotten_and_leave_their_campaigns) {
    host h;
    h.id = 2;
    h.node_key = "key-2";
    h.platform = "ubuntu";
    reg.register_host(h, "");
    now += seconds_to_micros(100);
    ASSERT_TRUE(reg.authenticate("key-2")); // seen now; host 1 not since it was loaded
    EXPECT_EQ(reg.seen_before(now), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(reg.seen_before(0).empty()); // host 1 was loaded never seen: 0
    EXPECT_EQ(reg.start_campaign(9, "select 1;", {1, 2}).total, 2);
    reg.forget_hosts({1, 42}); // an unknown id is skipped
    EXPECT_FALSE(reg.read("key-1"));
    EXPECT_EQ(reg.read("key-1").err().code, errc::node_invalid);
    EXPECT_TRUE(reg.read("key-2"));
    EXPECT_EQ(reg.size(), 1u);
    EXPECT_EQ(reg.campaigns().active(9)->host_ids, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(reg.counts({1, 2}).total, 1);
}

TEST_F(registry_test, a_host_moved_to_a_team_authenticates_with_it_and_is_asked_its_policies) {
    ASSERT_TRUE(
        reg.write("key-1", {{"fleet_detail_query_uptime", {{{"total_seconds", "5"}}}, false, ""},
                            {"fleet_label_query_6", {{{"1", "1"}}}, false, ""},
                            {"fleet_policy_query_1", {}, false, ""}}));
    ASSERT_TRUE(due().empty());
    EXPECT_EQ(reg.authenticate("key-1")->team_id, std::nullopt);
    EXPECT_EQ(reg.set_team({1, 42}, 5), 1u); // an unknown id is skipped
    EXPECT_EQ(reg.authenticate("key-1")->team_id, 5);
    // Its policies are due at once: the team's now among them.
    auto asked = due();
    EXPECT_TRUE(has(asked, "fleet_policy_query_3")) << "team 5 policy";
    EXPECT_TRUE(has(asked, "fleet_policy_query_1"));
    EXPECT_FALSE(has(asked, "fleet_label_query_6")) << "labels are not due";
    EXPECT_EQ(reg.set_team({1}, std::nullopt), 1u);
    EXPECT_EQ(reg.authenticate("key-1")->team_id, std::nullopt);
    EXPECT_FALSE(has(due(), "fleet_policy_query_3"));
}
