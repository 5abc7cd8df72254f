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

// --- batches (issue 14: multi-row statements, one transaction) ------------------------

TEST_P(host_store_test, a_batch_of_enrollments_across_chunks_with_a_repeat_and_a_known_host) {
    auto known = st_->enroll_host(details("known", "old-name"), "key-0", std::nullopt, t0_);
    ASSERT_TRUE(known);
    const auto team = make_team(*st_, "blue");
    std::vector<storage::host_store::enroll_request> batch;
    for (int i = 0; i < 300; ++i) // more than one multi-row statement holds
        batch.push_back({details("id-" + std::to_string(i), "h" + std::to_string(i)),
                         "key-" + std::to_string(i + 1),
                         i % 2 ? std::optional(team) : std::nullopt});
    batch.push_back({details("known", ""), "key-known", team});
    batch.push_back({details("id-7", "h7-again"), "key-7-again", std::nullopt}); // a repeat
    auto out = st_->enroll_hosts(batch, t0_ + 5);
    ASSERT_TRUE(out) << out.err().message;
    ASSERT_EQ(out->size(), batch.size());
    for (std::size_t i = 0; i < 300; ++i) {
        const auto& e = (*out)[i];
        EXPECT_EQ(e.previous_node_key, "") << i;
        EXPECT_EQ(e.h.osquery_host_id, "id-" + std::to_string(i));
        auto stored = st_->host_by_id(e.h.id);
        ASSERT_TRUE(stored) << i;
        EXPECT_EQ(stored->osquery_host_id, "id-" + std::to_string(i));
        // (host 7 is enrolled again below, with no team)
        EXPECT_EQ(stored->team_id, i % 2 && i != 7 ? std::optional(team) : std::nullopt) << i;
        EXPECT_EQ(stored->memory, 42);
        EXPECT_EQ(stored->label_updated_at, 86'400'000'000);                        // due at once
        EXPECT_EQ(*st_->host_label_ids(e.h.id), std::vector<std::int64_t>{6}) << i; // All Hosts
    }
    // The known host kept its row and name, with the new key and team.
    const auto& again = (*out)[300];
    EXPECT_EQ(again.h.id, known->h.id);
    EXPECT_EQ(again.previous_node_key, "key-0");
    EXPECT_EQ(st_->host_by_id(known->h.id)->hostname, "old-name");
    EXPECT_EQ(st_->host_by_id(known->h.id)->node_key, "key-known");
    EXPECT_EQ(st_->host_by_id(known->h.id)->team_id, team);
    // The repeat re-enrolled the row the batch inserted.
    const auto& repeat = (*out)[301];
    EXPECT_EQ(repeat.h.id, (*out)[7].h.id);
    EXPECT_EQ(repeat.previous_node_key, "key-8");
    EXPECT_EQ(st_->host_by_id(repeat.h.id)->node_key, "key-7-again");
    EXPECT_EQ(st_->host_by_id(repeat.h.id)->hostname, "h7-again");
    EXPECT_EQ(st_->list_hosts()->size(), 301u);
}

TEST_P(host_store_test, a_failed_batch_of_enrollments_writes_nothing) {
    ASSERT_TRUE(st_->enroll_host(details("a", "a"), "taken-key", std::nullopt, t0_));
    // The second request's node key is taken (unique): the whole batch fails.
    auto out = st_->enroll_hosts({{details("b", "b"), "fresh-key", std::nullopt},
                                  {details("c", "c"), "taken-key", std::nullopt}},
                                 t0_);
    ASSERT_FALSE(out);
    EXPECT_EQ(st_->list_hosts()->size(), 1u);
}

TEST_P(host_store_test, label_policy_and_seen_batches_across_hosts) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 300; ++i)
        ids.push_back(st_->enroll_host(details("id-" + std::to_string(i), "h"),
                                       "k" + std::to_string(i), std::nullopt, t0_)
                          ->h.id);
    ASSERT_TRUE(st_->record_label_results(ids[0], {{8, true}, {9, true}}, t0_));

    std::vector<storage::host_store::label_results> labels;
    for (std::size_t i = 0; i < ids.size(); ++i)
        labels.push_back({ids[i], {{8, i % 2 == 0}, {999, true}}, t0_ + static_cast<micros>(i)});
    labels.push_back({123456789, {{8, true}}, t0_}); // a host deleted meanwhile
    ASSERT_TRUE(st_->record_label_batch(labels));
    for (std::size_t i = 0; i < ids.size(); ++i) {
        std::vector<std::int64_t> want =
            i % 2 == 0 ? std::vector<std::int64_t>{6, 8} : std::vector<std::int64_t>{6};
        if (i == 0)
            want.push_back(9); // not reported: kept
        EXPECT_EQ(*st_->host_label_ids(ids[i]), want) << i;
        EXPECT_EQ(st_->host_by_id(ids[i])->label_updated_at, t0_ + static_cast<micros>(i)) << i;
    }

    ASSERT_TRUE(st_->apply_policy_specs({{"p1", "SELECT 1", "", "", "", ""}}, 0, t0_));
    const auto p1 = st_->policy_by_name("p1")->id;
    std::vector<storage::host_store::policy_results> policies;
    for (std::size_t i = 0; i < ids.size(); ++i)
        policies.push_back({ids[i], {{p1, true}, {p1 + 1000, true}}, t0_ + 1});
    ASSERT_TRUE(st_->record_policy_batch(policies));
    policies.clear();
    for (std::size_t i = 0; i < ids.size(); ++i) // the second batch overwrites the first
        policies.push_back({ids[i],
                            {{p1, i % 3 == 0 ? std::optional<bool>() : std::optional(i % 3 == 1)}},
                            t0_ + 2});
    ASSERT_TRUE(st_->record_policy_batch(policies));
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto r = *st_->host_policy_results(ids[i]);
        ASSERT_EQ(r.size(), 1u) << i;
        EXPECT_EQ(r[0].passes, i % 3 == 0 ? std::optional<bool>() : std::optional(i % 3 == 1)) << i;
        EXPECT_EQ(st_->host_by_id(ids[i])->policy_updated_at, t0_ + 2);
    }

    std::vector<std::pair<std::int64_t, micros>> seen;
    for (std::size_t i = 0; i < ids.size(); ++i)
        seen.emplace_back(ids[i], t0_ + 1000 + static_cast<micros>(i));
    seen.emplace_back(ids[5], t0_ + 5000); // the last value for an id wins
    seen.emplace_back(987654321, t0_);     // unknown: skipped
    ASSERT_TRUE(st_->save_seen_times(seen));
    for (std::size_t i = 0; i < ids.size(); ++i)
        EXPECT_EQ(st_->host_by_id(ids[i])->seen_time,
                  i == 5 ? t0_ + 5000 : t0_ + 1000 + static_cast<micros>(i))
            << i;

    auto some = st_->hosts_by_ids({ids[299], ids[3], 424242, ids[3]});
    ASSERT_TRUE(some);
    ASSERT_EQ(some->size(), 2u);
    EXPECT_EQ(some->at(0).id, ids[3]);
    EXPECT_EQ(some->at(1).id, ids[299]);
}
