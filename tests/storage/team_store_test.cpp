/// Conformance for the team store beyond specs, on SQLite and MariaDB: creating,
/// updating and deleting teams, their secrets, their sizes, moving hosts
/// between teams, and team policies.

#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class team_store_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(GetParam());
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
    }
    team make(const std::string& name, std::vector<std::string> secrets = {}) {
        team t;
        t.name = name;
        t.description = "about " + name;
        t.agent_options = bj::parse(R"({"config":{"options":{"a":1}}})");
        auto created = st_->new_team(t, secrets, t0_);
        EXPECT_TRUE(created) << created.err().message;
        return created ? *created : team{};
    }
    std::int64_t host(const std::string& name, std::optional<std::int64_t> team_id) {
        auto id = st_->new_host_for_test(name, name, team_id, t0_);
        EXPECT_TRUE(id);
        return id ? *id : 0;
    }
    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    const micros t0_ = seconds_to_micros(1'800'000'000);
};

} // namespace

TEST_P(team_store_test, a_new_team_round_trips_and_names_are_unique) {
    const auto blue = make("blue", {"s1", "s1", "s2"});
    EXPECT_GT(blue.id, 0);
    EXPECT_EQ(blue.created_at, t0_);
    auto stored = st_->team_by_id(blue.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->name, "blue");
    EXPECT_EQ(stored->description, "about blue");
    EXPECT_EQ(stored->agent_options, bj::parse(R"({"config":{"options":{"a":1}}})"));
    EXPECT_EQ(stored->created_at, t0_);
    EXPECT_EQ(st_->team_enroll_secrets(blue.id)->size(), 2u);

    team dup;
    dup.name = "blue";
    auto again = st_->new_team(dup, {}, t0_);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.err().code, errc::already_exists);
    // A taken secret: nothing is written, the team neither.
    dup.name = "red";
    auto taken = st_->new_team(dup, {"s2"}, t0_);
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.err().code, errc::already_exists);
    EXPECT_EQ(st_->team_by_name("red").err().code, errc::not_found);
    EXPECT_EQ(st_->list_teams()->size(), 1u);
}

TEST_P(team_store_test, updates_write_every_field_and_refuse_a_taken_name) {
    auto blue = make("blue");
    const auto red = make("red");
    blue.name = "navy";
    blue.description = "";
    blue.agent_options = std::nullopt;
    ASSERT_TRUE(st_->update_team(blue));
    auto stored = st_->team_by_id(blue.id);
    EXPECT_EQ(stored->name, "navy");
    EXPECT_EQ(stored->description, "");
    EXPECT_EQ(stored->agent_options, std::nullopt);
    // Unchanged values are no error (MariaDB counts no changed row).
    ASSERT_TRUE(st_->update_team(blue));
    blue.name = "red";
    auto clash = st_->update_team(blue);
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.err().code, errc::already_exists);
    EXPECT_EQ(st_->team_by_id(blue.id)->name, "navy");
    team ghost = red;
    ghost.id = 424242;
    ghost.name = "ghost";
    EXPECT_EQ(st_->update_team(ghost).err().code, errc::not_found);
}

TEST_P(team_store_test, secrets_are_replaced_keeping_created_at_of_those_that_stay) {
    const auto blue = make("blue", {"keep", "drop"});
    const auto red = make("red", {"red-1"});
    ASSERT_TRUE(st_->apply_global_enroll_secrets({"global"}, t0_));
    ASSERT_TRUE(st_->replace_team_enroll_secrets(blue.id, {"keep", "new"}, t0_ + 5));
    auto secrets = *st_->team_enroll_secrets(blue.id);
    ASSERT_EQ(secrets.size(), 2u);
    for (const auto& s : secrets) {
        EXPECT_EQ(s.team_id, blue.id);
        EXPECT_EQ(s.created_at, s.secret == "keep" ? t0_ : t0_ + 5) << s.secret;
    }
    EXPECT_FALSE(st_->enroll_secret_by_value("drop"));
    for (const char* taken : {"global", "red-1"}) {
        auto r = st_->replace_team_enroll_secrets(blue.id, {"other", taken}, t0_);
        ASSERT_FALSE(r) << taken;
        EXPECT_EQ(r.err().code, errc::already_exists);
    }
    EXPECT_EQ(st_->team_enroll_secrets(blue.id)->size(), 2u); // rolled back
    EXPECT_EQ(st_->enroll_secret_by_value("red-1")->team_id, red.id);
    EXPECT_EQ(st_->replace_team_enroll_secrets(424242, {}, t0_).err().code, errc::not_found);
}

TEST_P(team_store_test, sizes_count_users_and_hosts) {
    const auto blue = make("blue");
    const auto red = make("red");
    make("green");
    make_user_with_token(*st_, "a@example.com", std::nullopt,
                         {{blue.id, role::admin}, {red.id, role::observer}});
    make_user_with_token(*st_, "b@example.com", std::nullopt, {{blue.id, role::observer}});
    host("h1", blue.id);
    host("h2", std::nullopt);
    auto sizes = st_->team_sizes();
    ASSERT_TRUE(sizes);
    EXPECT_EQ(sizes->at(blue.id).users, 2);
    EXPECT_EQ(sizes->at(blue.id).hosts, 1);
    EXPECT_EQ(sizes->at(red.id).users, 1);
    EXPECT_EQ(sizes->at(red.id).hosts, 0);
    EXPECT_EQ(sizes->size(), 2u); // green has neither
}

TEST_P(team_store_test, hosts_move_between_teams_and_unknown_ids_are_skipped) {
    const auto blue = make("blue");
    const auto h1 = host("h1", std::nullopt);
    const auto h2 = host("h2", std::nullopt);
    const auto h3 = host("h3", std::nullopt);
    auto moved = st_->set_hosts_team({h3, 424242, h1, h1}, blue.id, t0_ + 7);
    ASSERT_TRUE(moved) << moved.err().message;
    EXPECT_EQ(*moved, (std::vector<std::int64_t>{h1, h3}));
    EXPECT_EQ(st_->host_by_id(h1)->team_id, blue.id);
    EXPECT_EQ(st_->host_by_id(h1)->updated_at, t0_ + 7);
    EXPECT_EQ(st_->host_by_id(h2)->team_id, std::nullopt);
    EXPECT_EQ(st_->host_by_id(h3)->team_id, blue.id);
    // Moving a host to the team it is in is no error (MariaDB counts no change).
    EXPECT_EQ(*st_->set_hosts_team({h1}, blue.id, t0_ + 7), std::vector<std::int64_t>{h1});
    EXPECT_EQ(*st_->set_hosts_team({h1, h2}, std::nullopt, t0_),
              (std::vector<std::int64_t>{h1, h2}));
    EXPECT_EQ(st_->host_by_id(h1)->team_id, std::nullopt);
    EXPECT_TRUE(st_->set_hosts_team({}, blue.id, t0_)->empty());
    // More ids than one statement takes.
    std::vector<std::int64_t> many;
    for (std::int64_t i = 0; i < 1200; ++i)
        many.push_back(i % 2 ? h2 : 100'000 + i);
    EXPECT_EQ(*st_->set_hosts_team(many, blue.id, t0_), std::vector<std::int64_t>{h2});
    EXPECT_EQ(st_->host_by_id(h2)->team_id, blue.id);
}

TEST_P(team_store_test, deleting_a_team_takes_what_is_its_own_and_frees_its_hosts) {
    const auto blue = make("blue", {"blue-secret"});
    const auto red = make("red", {"red-secret"});
    make_user_with_token(*st_, "a@example.com", std::nullopt,
                         {{blue.id, role::admin}, {red.id, role::observer}});
    const auto h = host("h1", blue.id);
    ASSERT_TRUE(st_->apply_policy_specs({{"blue p", "SELECT 1", "", "", "blue", ""},
                                         {"red p", "SELECT 1", "", "", "red", ""},
                                         {"global p", "SELECT 1", "", "", "", ""}},
                                        1, t0_));
    const auto blue_p = st_->policy_by_name("blue p")->id;
    ASSERT_TRUE(st_->record_policy_results(h, {{blue_p, true}}, t0_));
    pack_spec p;
    p.name = "pack";
    p.target_teams = {"blue", "red"};
    ASSERT_TRUE(st_->apply_pack_specs({p}, t0_));
    auto blue_policies = st_->team_policies(blue.id);
    ASSERT_EQ(blue_policies->size(), 1u);
    EXPECT_EQ(blue_policies->at(0).name, "blue p");

    ASSERT_TRUE(st_->delete_team(blue.id));
    EXPECT_EQ(st_->team_by_id(blue.id).err().code, errc::not_found);
    EXPECT_EQ(st_->host_by_id(h)->team_id, std::nullopt);
    EXPECT_FALSE(st_->enroll_secret_by_value("blue-secret"));
    EXPECT_TRUE(st_->enroll_secret_by_value("red-secret"));
    EXPECT_EQ(st_->policy_by_name("blue p").err().code, errc::not_found);
    EXPECT_TRUE(st_->team_policies(blue.id)->empty());
    EXPECT_TRUE(st_->host_policy_results(h)->empty());
    EXPECT_EQ(st_->team_policies(red.id)->size(), 1u);
    EXPECT_EQ(st_->global_policies()->size(), 1u);
    EXPECT_EQ(st_->pack_spec_by_name("pack")->target_teams, std::vector<std::string>{"red"});
    auto u = st_->user_by_email("a@example.com");
    ASSERT_EQ(u->teams.size(), 1u);
    EXPECT_EQ(u->teams[0].team_id, red.id);
    EXPECT_EQ(st_->delete_team(blue.id).err().code, errc::not_found);
}

INSTANTIATE_TEST_SUITE_P(backends, team_store_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
