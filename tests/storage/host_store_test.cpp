/// Conformance for hosts: enrollment, results, seen times, catalogue and packs.

#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;

namespace {

class host_store_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(GetParam());
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
    }
    host details(const std::string& id, const std::string& hostname) {
        host h;
        h.osquery_host_id = id;
        h.hostname = hostname;
        h.platform = "ubuntu";
        h.memory = 42;
        return h;
    }
    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    const micros t0_ = seconds_to_micros(1'800'000'000);
};

} // namespace

TEST_P(host_store_test, enrolling_inserts_then_reuses_the_row) {
    auto first = st_->enroll_host(details("id-1", "one"), "key-a", std::nullopt, t0_);
    ASSERT_TRUE(first) << first.err().message;
    EXPECT_EQ(first->previous_node_key, "");
    const host& h = first->h;
    EXPECT_GT(h.id, 0);
    EXPECT_EQ(h.node_key, "key-a");
    EXPECT_EQ(h.hostname, "one");
    EXPECT_EQ(h.memory, 42);
    EXPECT_EQ(h.created_at, t0_);
    EXPECT_EQ(h.seen_time, t0_);
    EXPECT_EQ(h.last_enrolled_at, t0_);
    EXPECT_EQ(h.detail_updated_at, 86'400'000'000); // 1970-01-02: all due
    EXPECT_EQ(*st_->host_label_ids(h.id), std::vector<std::int64_t>{6});

    const auto team = make_team(*st_, "blue");
    auto again = st_->enroll_host(details("id-1", ""), "key-b", team, t0_ + 10);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->previous_node_key, "key-a");
    EXPECT_EQ(again->h.id, h.id);
    EXPECT_EQ(again->h.hostname, "one"); // kept: the new details had none
    EXPECT_EQ(again->h.team_id, team);
    EXPECT_EQ(again->h.created_at, t0_);
    EXPECT_EQ(again->h.last_enrolled_at, t0_ + 10);
    auto stored = st_->host_by_id(h.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->node_key, "key-b");
    EXPECT_EQ(st_->list_hosts()->size(), 1u);
}

TEST_P(host_store_test, details_round_trip) {
    auto e = st_->enroll_host(details("id-1", "one"), "k", std::nullopt, t0_);
    ASSERT_TRUE(e);
    host h = e->h;
    h.primary_ip = "10.1.1.1";
    h.cpu_brand = "Fast";
    h.uptime_ns = 99;
    h.distributed_interval = 10;
    h.detail_updated_at = t0_ + 5;
    ASSERT_TRUE(st_->update_host(h));
    auto back = st_->host_by_id(h.id);
    EXPECT_EQ(back->primary_ip, "10.1.1.1");
    EXPECT_EQ(back->cpu_brand, "Fast");
    EXPECT_EQ(back->uptime_ns, 99);
    EXPECT_EQ(back->distributed_interval, 10);
    EXPECT_EQ(back->detail_updated_at, t0_ + 5);
}

TEST_P(host_store_test, label_and_policy_results_and_seen_times) {
    auto e = st_->enroll_host(details("id-1", "one"), "k", std::nullopt, t0_);
    ASSERT_TRUE(e);
    const auto id = e->h.id;
    ASSERT_TRUE(st_->record_label_results(id, {{6, false}, {8, true}, {999, true}}, t0_ + 1));
    EXPECT_EQ(*st_->host_label_ids(id), std::vector<std::int64_t>{8}); // unknown label ignored
    EXPECT_EQ(st_->host_by_id(id)->label_updated_at, t0_ + 1);

    ASSERT_TRUE(st_->apply_policy_specs(
        {{"p1", "SELECT 1", "", "", "", ""}, {"p2", "SELECT 2", "", "", "", ""}}, 0, t0_));
    const auto p1 = st_->policy_by_name("p1")->id, p2 = st_->policy_by_name("p2")->id;
    ASSERT_TRUE(st_->record_policy_results(id, {{p1, true}, {p2, std::nullopt}}, t0_ + 2));
    auto results = *st_->host_policy_results(id);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].passes, true);
    EXPECT_EQ(results[1].passes, std::nullopt);
    ASSERT_TRUE(st_->record_policy_results(id, {{p1, false}}, t0_ + 3));
    EXPECT_EQ(st_->host_policy_results(id)->at(0).passes, false);
    EXPECT_EQ(st_->host_by_id(id)->policy_updated_at, t0_ + 3);

    ASSERT_TRUE(st_->save_seen_times({{id, t0_ + 100}}));
    EXPECT_EQ(st_->host_by_id(id)->seen_time, t0_ + 100);
}

TEST_P(host_store_test, the_catalogue_lists_dynamic_labels_and_all_policies) {
    const auto team = make_team(*st_, "blue");
    ASSERT_TRUE(st_->apply_label_specs(
        {{0, "manual", "", "", "", false, label_membership::manual, std::vector<std::string>{}},
         {0, "dyn", "", "select 2", "darwin", false, label_membership::dynamic, std::nullopt}},
        t0_));
    ASSERT_TRUE(st_->apply_policy_specs(
        {{"g", "SELECT 1", "", "", "", "darwin,linux"}, {"t", "SELECT 2", "", "", "blue", ""}}, 0,
        t0_));
    auto c = st_->load_query_catalog();
    ASSERT_TRUE(c);
    ASSERT_EQ(c->labels.size(), 8u); // 7 builtins + dyn, not the manual one
    EXPECT_EQ(c->labels.back().sql, "select 2");
    EXPECT_EQ(c->labels.back().platform, "darwin");
    ASSERT_EQ(c->policies.size(), 2u);
    EXPECT_EQ(c->policies[0].platforms, "darwin,linux");
    EXPECT_EQ(c->policies[0].team_id, std::nullopt);
    EXPECT_EQ(c->policies[1].team_id, team);
}

TEST_P(host_store_test, packs_apply_through_labels_and_team) {
    const auto team = make_team(*st_, "blue");
    ASSERT_TRUE(st_->apply_query_specs({{"q", "", "SELECT 7", false}}, 0, t0_));
    auto sq = [](std::string name) {
        return scheduled_query_spec{"q", std::move(name), "", 30, {}, {}, {}, {}, {}, {}};
    };
    pack_spec by_label{0, "by_label", "", "", false, {"All Hosts"}, {}, {sq("a")}};
    pack_spec by_team{0, "by_team", "", "", false, {}, {"blue"}, {sq("b")}};
    pack_spec disabled{0, "disabled", "", "", true, {"All Hosts"}, {}, {sq("c")}};
    pack_spec other{0, "other", "", "", false, {"macOS"}, {}, {sq("d")}};
    ASSERT_TRUE(st_->apply_pack_specs({by_label, by_team, disabled, other}, t0_));
    auto e = st_->enroll_host(details("id-1", "one"), "k", team, t0_);
    ASSERT_TRUE(e);
    auto packs = st_->packs_for_host(e->h.id, team);
    ASSERT_TRUE(packs);
    ASSERT_EQ(packs->size(), 2u);
    EXPECT_EQ(packs->at(0).name, "by_label");
    EXPECT_EQ(packs->at(0).queries.at(0).sql, "SELECT 7");
    EXPECT_EQ(packs->at(0).queries.at(0).interval, 30);
    EXPECT_EQ(packs->at(1).name, "by_team");
    EXPECT_EQ(st_->packs_for_host(e->h.id, std::nullopt)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(backends, host_store_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
