/// The host registry's campaign directory, without an actor.

#include "actors/campaign_directory.hpp"
#include "model/campaign.hpp"

#include <algorithm>
#include <gtest/gtest.h>

using namespace flotilla::actors;

TEST(campaign_directory, an_added_campaign_is_active_with_its_sql_and_targets) {
    campaign_directory d;
    d.add(7, "select 1;", {1, 2, 3});
    const auto* e = d.active(7);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->sql, "select 1;");
    EXPECT_EQ(e->host_ids, (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(d.active(8), nullptr);
    EXPECT_FALSE(d.stopped_reason(7));
}

TEST(campaign_directory, a_campaign_without_its_actor_yet_is_not_found_by_subscribers) {
    campaign_directory d;
    d.add(7, "select 1;", {1});
    auto found = d.find(7);
    EXPECT_FALSE(found.campaign);
    EXPECT_EQ(found.missing, "cannot find campaign for ID 7");
}

TEST(campaign_directory, an_unknown_campaign_is_told_as_fleet_tells_it) {
    campaign_directory d;
    auto found = d.find(42);
    EXPECT_FALSE(found.campaign);
    EXPECT_EQ(found.missing, "cannot find campaign for ID 42");
}

TEST(campaign_directory, stopping_returns_the_targets_and_remembers_why) {
    campaign_directory d;
    d.add(7, "select 1;", {4, 5});
    auto stopped = d.stop(7, "campaign stopped: nobody was watching it");
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->host_ids, (std::vector<std::int64_t>{4, 5}));
    EXPECT_EQ(d.active(7), nullptr);
    EXPECT_EQ(d.stopped_reason(7), "campaign stopped: nobody was watching it");
    EXPECT_EQ(d.find(7).missing, "campaign stopped: nobody was watching it");
    EXPECT_FALSE(d.stop(7, "again")) << "a stopped campaign is not stopped twice";
    EXPECT_EQ(d.stopped_reason(7), "campaign stopped: nobody was watching it");
}

TEST(campaign_directory, targeting_lists_the_active_campaigns_of_a_host) {
    campaign_directory d;
    d.add(1, "a", {10, 11});
    d.add(2, "b", {11});
    d.add(3, "c", {12});
    auto of11 = d.targeting(11);
    std::sort(of11.begin(), of11.end());
    EXPECT_EQ(of11, (std::vector<std::int64_t>{1, 2}));
    d.stop(1, "done");
    EXPECT_EQ(d.targeting(11), (std::vector<std::int64_t>{2}));
    EXPECT_TRUE(d.targeting(99).empty());
}

TEST(campaign_directory, attach_ignores_a_campaign_that_is_not_active) {
    campaign_directory d;
    d.attach(5, caf::actor{});
    EXPECT_EQ(d.active(5), nullptr);
    EXPECT_FALSE(d.stopped_reason(5));
}

TEST(campaign_directory, deleted_hosts_leave_every_active_campaign) {
    campaign_directory d;
    d.add(7, "select 1;", {1, 2, 3});
    d.add(8, "select 2;", {3});
    d.add(9, "select 3;", {4});
    // No actor is attached yet: none to tell.
    EXPECT_TRUE(d.remove_hosts({3, 5}).empty());
    EXPECT_EQ(d.active(7)->host_ids, (std::vector<std::int64_t>{1, 2}));
    EXPECT_TRUE(d.active(8)->host_ids.empty());
    EXPECT_EQ(d.active(9)->host_ids, (std::vector<std::int64_t>{4}));
    EXPECT_TRUE(d.targeting(3).empty());
}

TEST(campaign_directory, targets_given_in_any_order_are_found_and_removed) {
    campaign_directory d;
    d.add(7, "select 1;", {30, 10, 50, 20, 40});
    EXPECT_EQ(d.targeting(50), (std::vector<std::int64_t>{7}));
    EXPECT_EQ(d.targeting(10), (std::vector<std::int64_t>{7}));
    EXPECT_TRUE(d.targeting(25).empty());
    d.remove_hosts({40, 99, 10});
    EXPECT_EQ(d.active(7)->host_ids, (std::vector<std::int64_t>{20, 30, 50}));
    EXPECT_TRUE(d.targeting(40).empty());
    EXPECT_EQ(d.targeting(30), (std::vector<std::int64_t>{7}));
}

TEST(campaign_directory, erase_ids_keeps_the_others_in_their_order) {
    std::vector<std::int64_t> hosts{5, 3, 9, 1, 7};
    flotilla::erase_ids(hosts, {7, 5, 8});
    EXPECT_EQ(hosts, (std::vector<std::int64_t>{3, 9, 1}));
    flotilla::erase_ids(hosts, {});
    EXPECT_EQ(hosts, (std::vector<std::int64_t>{3, 9, 1}));
}
