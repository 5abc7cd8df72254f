/// Conformance for teams, queries, packs, labels and policies, on SQLite and MariaDB.

#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class spec_store_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(GetParam());
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
        auto u = st_->new_user(user{0,
                                    0,
                                    0,
                                    "Ann",
                                    "ann@example.com",
                                    "h",
                                    "",
                                    "",
                                    false,
                                    false,
                                    false,
                                    role::admin,
                                    {}},
                               t0_);
        ASSERT_TRUE(u);
        author_ = u->id;
    }

    void apply_queries(std::vector<std::string> names) {
        std::vector<query_spec> specs;
        for (auto& n : names)
            specs.push_back({n, "", "SELECT '" + n + "'", false});
        ASSERT_TRUE(st_->apply_query_specs(specs, author_, t0_));
    }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    std::int64_t author_ = 0;
    const micros t0_ = seconds_to_micros(1'800'000'000);
};

} // namespace

TEST_P(spec_store_test, the_seven_builtin_labels_exist_after_migration) {
    auto labels = st_->label_specs();
    ASSERT_TRUE(labels);
    ASSERT_EQ(labels->size(), 7u);
    const auto& want = builtin_labels();
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ((*labels)[i].id, want[i].id);
        EXPECT_TRUE(same_definition((*labels)[i], want[i])) << want[i].name;
    }
    EXPECT_EQ((*labels)[0].name, "All Hosts");
    EXPECT_EQ((*labels)[0].id, 6);
    EXPECT_EQ((*labels)[6].name, "All Linux");
}

TEST_P(spec_store_test, queries_upsert_by_name_and_the_last_duplicate_wins) {
    ASSERT_TRUE(st_->apply_query_specs(
        {{"q", "first", "SELECT 1", true}, {"q", "second", "SELECT 2", false}}, author_, t0_));
    auto q = st_->query_by_name("q");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->description, "second");
    EXPECT_EQ(q->sql, "SELECT 2");
    EXPECT_FALSE(q->observer_can_run);
    EXPECT_TRUE(q->saved);
    EXPECT_EQ(q->author_id, author_);
    const auto id = q->id;
    ASSERT_TRUE(st_->apply_query_specs({{"q", "third", "SELECT 3", true}}, author_, t0_ + 1));
    q = st_->query_by_name("q");
    EXPECT_EQ(q->id, id);
    EXPECT_EQ(q->sql, "SELECT 3");
    EXPECT_TRUE(q->observer_can_run);
    EXPECT_EQ(q->created_at, t0_);
    EXPECT_EQ(q->updated_at, t0_ + 1);
    EXPECT_EQ(st_->saved_queries()->size(), 1u);
    EXPECT_EQ(st_->query_by_name("nope").err().code, errc::not_found);
}

TEST_P(spec_store_test, packs_replace_queries_and_targets_and_keep_their_id) {
    apply_queries({"a", "b", "c"});
    const auto team = make_team(*st_, "blue");
    ASSERT_GT(team, 0);
    pack_spec p;
    p.name = "pack";
    p.description = "d";
    p.target_labels = {"All Hosts", "macOS"};
    p.target_teams = {"blue"};
    p.queries = {{"a", "a", "", 60, true, std::nullopt, 10, "darwin", "5.0", false},
                 {"b", "b-1", "desc", 120, std::nullopt, true, std::nullopt, std::nullopt,
                  std::nullopt, std::nullopt}};
    ASSERT_TRUE(st_->apply_pack_specs({p}, t0_));
    auto got = st_->pack_spec_by_name("pack");
    ASSERT_TRUE(got);
    const auto id = got->id;
    EXPECT_GT(id, 0);
    EXPECT_EQ(got->description, "d");
    EXPECT_EQ(got->target_labels, (std::vector<std::string>{"All Hosts", "macOS"}));
    EXPECT_EQ(got->target_teams, (std::vector<std::string>{"blue"}));
    ASSERT_EQ(got->queries.size(), 2u);
    EXPECT_EQ(got->queries[0].snapshot, true);
    EXPECT_EQ(got->queries[0].removed, std::nullopt);
    EXPECT_EQ(got->queries[0].shard, 10);
    EXPECT_EQ(got->queries[0].platform, "darwin");
    EXPECT_EQ(got->queries[0].version, "5.0");
    EXPECT_EQ(got->queries[0].denylist, false);
    EXPECT_EQ(got->queries[1].name, "b-1");
    EXPECT_EQ(got->queries[1].query, "b");
    EXPECT_EQ(got->queries[1].removed, true);
    EXPECT_EQ(got->queries[1].platform, std::nullopt);

    p.queries = {{"c", "c", "", 5, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                  std::nullopt, std::nullopt}};
    p.target_labels.clear();
    p.target_teams.clear();
    ASSERT_TRUE(st_->apply_pack_specs({p}, t0_ + 1));
    got = st_->pack_spec_by_name("pack");
    EXPECT_EQ(got->id, id);
    ASSERT_EQ(got->queries.size(), 1u);
    EXPECT_EQ(got->queries[0].name, "c");
    EXPECT_TRUE(got->target_labels.empty());
    EXPECT_TRUE(got->target_teams.empty());
}

TEST_P(spec_store_test, a_pack_with_unknown_references_writes_nothing) {
    apply_queries({"a"});
    pack_spec good;
    good.name = "good";
    good.queries = {{"a", "a", "", 1, {}, {}, {}, {}, {}, {}}};
    pack_spec bad;
    bad.name = "bad";
    bad.queries = {{"missing", "missing", "", 1, {}, {}, {}, {}, {}, {}}};
    bad.target_labels = {"No Such Label"};
    bad.target_teams = {"No Such Team"};
    auto r = st_->apply_pack_specs({good, bad}, t0_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    ASSERT_EQ(r.err().fields.size(), 3u);
    EXPECT_EQ(r.err().fields[0].reason, "cannot schedule unknown query 'missing'");
    EXPECT_EQ(r.err().fields[1].reason, "unknown label 'No Such Label'");
    EXPECT_EQ(r.err().fields[2].reason, "unknown team 'No Such Team'");
    EXPECT_TRUE(st_->pack_specs()->empty());
}

TEST_P(spec_store_test, manual_labels_take_members_by_hostname) {
    ASSERT_TRUE(st_->new_host_for_test("h1", "alpha.local", std::nullopt, t0_));
    ASSERT_TRUE(st_->new_host_for_test("h2", "beta.local", std::nullopt, t0_));
    label_spec l{0,
                 "mine",
                 "my hosts",
                 "",
                 "",
                 false,
                 label_membership::manual,
                 std::vector<std::string>{"beta.local", "alpha.local", "unknown.local"}};
    ASSERT_TRUE(st_->apply_label_specs({l}, t0_));
    auto got = st_->label_spec_by_name("mine");
    ASSERT_TRUE(got);
    EXPECT_GT(got->id, 12);
    EXPECT_EQ(got->membership, label_membership::manual);
    EXPECT_EQ(got->hosts, (std::vector<std::string>{"alpha.local", "beta.local"}));

    l.hosts = std::vector<std::string>{"beta.local"};
    ASSERT_TRUE(st_->apply_label_specs({l}, t0_));
    EXPECT_EQ(st_->label_spec_by_name("mine")->hosts, (std::vector<std::string>{"beta.local"}));
    l.hosts = std::vector<std::string>{};
    ASSERT_TRUE(st_->apply_label_specs({l}, t0_));
    EXPECT_EQ(st_->label_spec_by_name("mine")->hosts, std::vector<std::string>{});
}

TEST_P(spec_store_test, builtin_labels_are_protected) {
    auto macos = builtin_labels()[1];
    ASSERT_TRUE(st_->apply_label_specs({macos}, t0_)); // unchanged: accepted
    auto changed = macos;
    changed.query = "select 2";
    auto r = st_->apply_label_specs({changed}, t0_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    EXPECT_EQ(r.err().fields.at(0).reason, "cannot modify or add built-in label 'macOS'");
    auto regular = macos;
    regular.builtin = false;
    EXPECT_FALSE(st_->apply_label_specs({regular}, t0_));
    label_spec added{0, "New Builtin", "", "select 1", "", true, label_membership::dynamic, {}};
    EXPECT_FALSE(st_->apply_label_specs({added}, t0_));
    EXPECT_TRUE(same_definition(*st_->label_spec_by_name("macOS"), macos));
    EXPECT_EQ(st_->label_specs()->size(), 7u);
}

TEST_P(spec_store_test, labels_are_found_by_id_counted_renamed_and_deleted) {
    const auto h1 = *st_->new_host_for_test("h1", "alpha.local", std::nullopt, t0_);
    ASSERT_TRUE(st_->new_host_for_test("h2", "beta.local", std::nullopt, t0_));
    label_spec l{0,
                 "mine",
                 "my hosts",
                 "",
                 "",
                 false,
                 label_membership::manual,
                 std::vector<std::string>{"alpha.local", "beta.local"}};
    ASSERT_TRUE(st_->apply_label_specs({l}, t0_));
    label_spec other{0, "other", "", "select 1", "", false, label_membership::dynamic, {}};
    ASSERT_TRUE(st_->apply_label_specs({other}, t0_));
    const auto id = st_->label_spec_by_name("mine")->id;
    auto by_id = st_->label_by_id(id);
    ASSERT_TRUE(by_id);
    EXPECT_EQ(by_id->name, "mine");
    EXPECT_EQ(by_id->created_at, t0_);
    EXPECT_EQ(st_->label_by_id(999999).err().code, errc::not_found);
    EXPECT_EQ(st_->label_host_counts()->at(id), 2);
    EXPECT_EQ(st_->label_host_counts()->count(st_->label_spec_by_name("other")->id), 0u);

    ASSERT_TRUE(st_->rename_label(id, "ours", "our hosts", t0_ + 9));
    EXPECT_EQ(st_->label_by_id(id)->name, "ours");
    EXPECT_EQ(st_->label_by_id(id)->description, "our hosts");
    EXPECT_EQ(st_->label_by_id(id)->updated_at, t0_ + 9);
    EXPECT_EQ(st_->label_by_id(id)->hosts, (std::vector<std::string>{"alpha.local", "beta.local"}));
    EXPECT_TRUE(st_->rename_label(id, "ours", "same name again", t0_));
    EXPECT_EQ(st_->rename_label(id, "other", "", t0_).err().code, errc::already_exists);
    EXPECT_EQ(st_->rename_label(999999, "x", "", t0_).err().code, errc::not_found);

    ASSERT_TRUE(st_->delete_label(id));
    EXPECT_EQ(st_->label_by_id(id).err().code, errc::not_found);
    EXPECT_EQ(st_->label_host_counts()->count(id), 0u);
    const auto left = *st_->host_label_ids(h1);
    EXPECT_EQ(std::count(left.begin(), left.end(), id), 0);
    EXPECT_EQ(st_->delete_label(id).err().code, errc::not_found);
}

TEST_P(spec_store_test, a_bad_label_among_good_ones_writes_nothing) {
    label_spec good{0, "good", "", "select 1", "", false, label_membership::dynamic, {}};
    auto bad = builtin_labels()[0];
    bad.description = "changed";
    EXPECT_FALSE(st_->apply_label_specs({good, bad}, t0_));
    EXPECT_EQ(st_->label_spec_by_name("good").err().code, errc::not_found);
}

TEST_P(spec_store_test, teams_are_created_then_replaced) {
    const bj::value global = bj::parse(R"({"config":{"options":{"a":1}}})");
    ASSERT_TRUE(st_->apply_team_specs({{"blue", std::nullopt, {"s1", "s2"}}}, global, t0_));
    auto t = st_->team_by_name("blue");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->agent_options, global); // new team without options: the global ones
    auto secrets = st_->team_enroll_secrets(t->id);
    ASSERT_EQ(secrets->size(), 2u);
    EXPECT_EQ((*secrets)[0].team_id, t->id);
    EXPECT_EQ(st_->enroll_secret_by_value("s1")->team_id, t->id);

    const bj::value own = bj::parse(R"({"config":{"options":{"b":2}}})");
    ASSERT_TRUE(st_->apply_team_specs({{"blue", own, {"s3"}}}, global, t0_));
    t = st_->team_by_name("blue");
    EXPECT_EQ(t->agent_options, own);
    secrets = st_->team_enroll_secrets(t->id);
    ASSERT_EQ(secrets->size(), 1u);
    EXPECT_EQ((*secrets)[0].secret, "s3");
    EXPECT_FALSE(st_->enroll_secret_by_value("s1"));

    ASSERT_TRUE(st_->apply_team_specs({{"blue", std::nullopt, {}}}, global, t0_));
    t = st_->team_by_name("blue");
    EXPECT_EQ(t->agent_options, std::nullopt); // existing team without options: cleared
    EXPECT_TRUE(st_->team_enroll_secrets(t->id)->empty());
    EXPECT_EQ(st_->list_teams()->size(), 1u);
}

TEST_P(spec_store_test, enroll_secrets_are_unique_across_the_instance) {
    ASSERT_TRUE(st_->apply_global_enroll_secrets({"global"}, t0_));
    auto r = st_->apply_team_specs({{"blue", std::nullopt, {"global"}}}, bj::object{}, t0_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::already_exists);
    EXPECT_EQ(st_->team_by_name("blue").err().code, errc::not_found); // rolled back
    ASSERT_TRUE(st_->apply_team_specs({{"blue", std::nullopt, {"team"}}}, bj::object{}, t0_));
    auto g = st_->apply_global_enroll_secrets({"team"}, t0_);
    ASSERT_FALSE(g);
    EXPECT_EQ(g.err().code, errc::already_exists);
    EXPECT_EQ(st_->global_enroll_secrets()->at(0).secret, "global");
}

TEST_P(spec_store_test, users_carry_their_team_roles) {
    const auto blue = make_team(*st_, "blue");
    const auto red = make_team(*st_, "red");
    auto u = st_->new_user(
        user{0, 0, 0, "T", "t@example.com", "h", "", "", false, false, false, std::nullopt, {}},
        t0_);
    ASSERT_TRUE(u);
    ASSERT_TRUE(st_->set_user_teams(
        u->id, {{blue, "", "", role::maintainer}, {red, "", "", role::observer}}));
    auto got = st_->user_by_email("t@example.com");
    ASSERT_TRUE(got);
    ASSERT_EQ(got->teams.size(), 2u);
    EXPECT_EQ(got->teams[0].team_id, blue);
    EXPECT_EQ(got->teams[0].team_name, "blue");
    EXPECT_EQ(got->teams[0].team_role_value, role::maintainer);
    EXPECT_EQ(got->teams[1].team_role_value, role::observer);
    EXPECT_EQ(st_->user_by_id(u->id)->teams.size(), 2u);
}

TEST_P(spec_store_test, policies_keep_team_and_platform_on_update) {
    const auto blue = make_team(*st_, "blue");
    ASSERT_TRUE(st_->apply_policy_specs(
        {{"p1", "SELECT 1", "d1", "r1", "", "darwin"}, {"p2", "SELECT 2", "", "", "blue", "linux"}},
        author_, t0_));
    auto p1 = st_->policy_by_name("p1");
    ASSERT_TRUE(p1);
    EXPECT_EQ(p1->team_id, std::nullopt);
    EXPECT_EQ(p1->platform, "darwin");
    EXPECT_EQ(p1->author_id, author_);
    EXPECT_EQ(p1->author_email, "ann@example.com");
    EXPECT_EQ(st_->policy_by_name("p2")->team_id, blue);

    ASSERT_TRUE(st_->apply_policy_specs({{"p1", "SELECT 3", "d2", "r2", "blue", "windows"}},
                                        author_, t0_ + 1));
    p1 = st_->policy_by_name("p1");
    EXPECT_EQ(p1->query, "SELECT 3");
    EXPECT_EQ(p1->description, "d2");
    EXPECT_EQ(p1->resolution, "r2");
    EXPECT_EQ(p1->team_id, std::nullopt); // unchanged
    EXPECT_EQ(p1->platform, "darwin");    // unchanged
    EXPECT_EQ(p1->updated_at, t0_ + 1);

    auto globals = st_->global_policies();
    ASSERT_EQ(globals->size(), 1u);
    EXPECT_EQ(globals->at(0).name, "p1");
}

TEST_P(spec_store_test, a_policy_naming_an_unknown_team_writes_nothing) {
    auto r = st_->apply_policy_specs(
        {{"ok", "SELECT 1", "", "", "", ""}, {"bad", "SELECT 1", "", "", "nope", ""}}, author_,
        t0_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    EXPECT_EQ(r.err().fields.at(0).reason, "policy 'bad': unknown team 'nope'");
    EXPECT_EQ(st_->policy_by_name("ok").err().code, errc::not_found);
}

// The applies write in multi-row statements of up to 256 rows (32 on SQLite):
// these cross several chunks, with duplicates far apart.

TEST_P(spec_store_test, large_query_applies_keep_ids_and_number_new_ones_without_gaps) {
    std::vector<query_spec> specs;
    for (int i = 0; i < 300; ++i)
        specs.push_back({"q" + std::to_string(i), "first", "SELECT " + std::to_string(i), false});
    ASSERT_TRUE(st_->apply_query_specs(specs, author_, t0_));
    auto before = st_->saved_queries();
    ASSERT_TRUE(before);
    ASSERT_EQ(before->size(), 300u);
    for (std::size_t i = 0; i < 300; ++i) {
        EXPECT_EQ((*before)[i].name, "q" + std::to_string(i)); // ids in the order given
        EXPECT_EQ((*before)[i].id, before->front().id + static_cast<std::int64_t>(i));
    }
    // Existing and new names interleaved; q7 twice, the last wins.
    specs.clear();
    for (int i = 0; i < 600; ++i)
        specs.push_back({"q" + std::to_string(i), "second", "SELECT " + std::to_string(i), true});
    specs.push_back({"q7", "last", "SELECT 'last'", false});
    ASSERT_TRUE(st_->apply_query_specs(specs, author_, t0_ + 1));
    auto after = st_->saved_queries();
    ASSERT_EQ(after->size(), 600u);
    const std::int64_t last_old = before->back().id;
    for (std::size_t i = 0; i < 600; ++i) {
        const auto& q = (*after)[i];
        EXPECT_EQ(q.name, "q" + std::to_string(i));
        EXPECT_EQ(q.updated_at, t0_ + 1);
        if (i < 300) {
            EXPECT_EQ(q.id, (*before)[i].id);
            EXPECT_EQ(q.created_at, t0_);
        } else {
            EXPECT_EQ(q.id, last_old + static_cast<std::int64_t>(i) - 299); // no gap
            EXPECT_EQ(q.created_at, t0_ + 1);
        }
        if (i != 7) {
            EXPECT_EQ(q.description, "second");
            EXPECT_TRUE(q.observer_can_run);
        }
    }
    EXPECT_EQ((*after)[7].description, "last");
    EXPECT_EQ((*after)[7].sql, "SELECT 'last'");
    EXPECT_FALSE((*after)[7].observer_can_run);
    // Updating rows allocated no ids: the next new query follows the last one.
    ASSERT_TRUE(st_->apply_query_specs({{"fresh", "", "SELECT 1", false}}, author_, t0_ + 2));
    EXPECT_EQ(st_->query_by_name("fresh")->id, after->back().id + 1);
}

TEST_P(spec_store_test, long_query_texts_are_split_across_statements) {
    // 40 policies of 100 KB: past the 1 MiB a statement's parameters may carry.
    std::vector<policy_spec> specs;
    for (int i = 0; i < 40; ++i)
        specs.push_back({"p" + std::to_string(i),
                         "SELECT '" + std::string(100'000, static_cast<char>('a' + i % 26)) + "'",
                         "", "", "", ""});
    ASSERT_TRUE(st_->apply_policy_specs(specs, author_, t0_));
    ASSERT_TRUE(st_->apply_policy_specs(specs, author_, t0_ + 1));
    auto all = st_->global_policies();
    ASSERT_EQ(all->size(), 40u);
    for (std::size_t i = 0; i < 40; ++i) {
        EXPECT_EQ((*all)[i].query, specs[i].query);
        EXPECT_EQ((*all)[i].updated_at, t0_ + 1);
    }
}

TEST_P(spec_store_test, large_policy_applies_keep_team_platform_and_created_at) {
    const auto blue = make_team(*st_, "blue");
    std::vector<policy_spec> specs;
    for (int i = 0; i < 400; ++i)
        specs.push_back({"p" + std::to_string(i), "SELECT " + std::to_string(i), "d", "r",
                         i % 2 == 0 ? "blue" : "", i % 3 == 0 ? "darwin" : ""});
    // A name given twice in one apply: created by the first, updated by the second.
    specs.push_back({"p3", "SELECT 'again'", "d2", "r2", "", "linux"});
    ASSERT_TRUE(st_->apply_policy_specs(specs, author_, t0_));
    auto p3 = st_->policy_by_name("p3");
    ASSERT_TRUE(p3);
    EXPECT_EQ(p3->query, "SELECT 'again'");
    EXPECT_EQ(p3->description, "d2");
    EXPECT_EQ(p3->team_id, std::nullopt);
    EXPECT_EQ(p3->platform, "darwin");
    EXPECT_EQ(st_->policy_by_name("p4")->team_id, blue);
    const auto p0_id = st_->policy_by_name("p0")->id;
    EXPECT_EQ(st_->policy_by_name("p399")->id, p0_id + 399);

    specs.clear();
    for (int i = 0; i < 500; ++i)
        specs.push_back({"p" + std::to_string(i), "SELECT 'v2'", "d3", "r3", "", "windows"});
    ASSERT_TRUE(st_->apply_policy_specs(specs, author_, t0_ + 1));
    EXPECT_EQ(st_->global_policies()->size(), 300u);
    auto team = st_->team_policies(blue);
    ASSERT_EQ(team->size(), 200u);
    for (const auto& p : *team) {
        EXPECT_EQ(p.query, "SELECT 'v2'");
        EXPECT_EQ(p.created_at, t0_);
        EXPECT_EQ(p.updated_at, t0_ + 1);
    }
    EXPECT_EQ(st_->policy_by_name("p6")->platform, "darwin");
    EXPECT_EQ(st_->policy_by_name("p7")->platform, "");
    EXPECT_EQ(st_->policy_by_name("p7")->id, p0_id + 7);
    EXPECT_EQ(st_->policy_by_name("p400")->platform, "windows");
    EXPECT_EQ(st_->policy_by_name("p400")->id, p0_id + 400);
    EXPECT_EQ(st_->policy_by_name("p499")->id, p0_id + 499);
    EXPECT_EQ(st_->policy_by_name("p499")->created_at, t0_ + 1);

    // An unknown team far down the list: nothing of the apply is written.
    specs.push_back({"p900", "SELECT 1", "", "", "nope", ""});
    specs.push_back({"p901", "SELECT 1", "", "", "nope either", ""});
    specs[0].query = "SELECT 'not written'";
    auto r = st_->apply_policy_specs(specs, author_, t0_ + 2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    EXPECT_EQ(r.err().fields.at(0).reason, "policy 'p900': unknown team 'nope'");
    EXPECT_EQ(st_->policy_by_name("p0")->query, "SELECT 'v2'");
    EXPECT_EQ(st_->policy_by_name("p900").err().code, errc::not_found);
}

TEST_P(spec_store_test, large_label_applies_keep_ids_and_replace_manual_members) {
    for (int h = 0; h < 40; ++h)
        ASSERT_TRUE(st_->new_host_for_test(
            "h" + std::to_string(h), "host" + std::to_string(h) + ".local", std::nullopt, t0_));
    // Two hosts share a hostname: a manual label naming it takes both.
    ASSERT_TRUE(st_->new_host_for_test("h-twin", "host0.local", std::nullopt, t0_));
    std::vector<label_spec> specs;
    for (int i = 0; i < 300; ++i) {
        label_spec l{0,     "l" + std::to_string(i),   "first", "SELECT " + std::to_string(i), "",
                     false, label_membership::dynamic, {}};
        if (i % 10 == 0) {
            l.membership = label_membership::manual;
            l.query.clear();
            l.hosts = std::vector<std::string>{"host" + std::to_string(i % 40) + ".local",
                                               "host1.local", "host1.local", "nobody.local"};
        }
        specs.push_back(std::move(l));
    }
    specs.push_back(builtin_labels()[1]); // unchanged builtin: skipped
    ASSERT_TRUE(st_->apply_label_specs(specs, t0_));
    const auto l0 = st_->label_spec_by_name("l0");
    ASSERT_TRUE(l0);
    EXPECT_EQ(l0->hosts, (std::vector<std::string>{"host0.local", "host0.local", "host1.local"}));
    EXPECT_EQ(st_->label_spec_by_name("l290")->hosts,
              (std::vector<std::string>{"host1.local", "host10.local"}));
    EXPECT_EQ(st_->label_spec_by_name("l299")->id, l0->id + 299);
    EXPECT_EQ(st_->label_specs()->size(), 307u);

    for (auto& l : specs) {
        if (l.builtin)
            continue;
        l.description = "second";
        if (l.hosts)
            l.hosts = std::vector<std::string>{"host2.local"};
    }
    specs.push_back({0, "l350", "", "SELECT 350", "", false, label_membership::dynamic, {}});
    ASSERT_TRUE(st_->apply_label_specs(specs, t0_ + 1));
    auto l10 = st_->label_spec_by_name("l10");
    EXPECT_EQ(l10->id, l0->id + 10);
    EXPECT_EQ(l10->description, "second");
    EXPECT_EQ(l10->created_at, t0_);
    EXPECT_EQ(l10->updated_at, t0_ + 1);
    EXPECT_EQ(l10->hosts, std::vector<std::string>{"host2.local"});
    EXPECT_EQ(st_->label_spec_by_name("l350")->id, l0->id + 300);

    // A changed builtin at the end: nothing of the apply is written.
    auto bad = builtin_labels()[1];
    bad.query = "select 2";
    for (auto& l : specs)
        l.description = "third";
    specs.push_back(bad);
    ASSERT_FALSE(st_->apply_label_specs(specs, t0_ + 2));
    EXPECT_EQ(st_->label_spec_by_name("l10")->description, "second");
}

TEST_P(spec_store_test, pack_reapplies_keep_what_is_unchanged_and_replace_the_rest) {
    std::vector<std::string> names;
    for (int i = 0; i < 40; ++i)
        names.push_back("q" + std::to_string(i));
    apply_queries(names);
    const auto blue = make_team(*st_, "blue");
    ASSERT_GT(blue, 0);
    std::vector<pack_spec> specs;
    for (int i = 0; i < 60; ++i) {
        pack_spec p;
        p.name = "pack" + std::to_string(i);
        p.description = "first";
        p.target_labels = {"All Hosts"};
        for (int j = 0; j < 8; ++j)
            p.queries.push_back({"q" + std::to_string((i + j) % 40), "s" + std::to_string(j), "",
                                 60 + j, j % 2 == 0, std::nullopt, std::nullopt, std::nullopt,
                                 std::nullopt, std::nullopt});
        specs.push_back(std::move(p));
    }
    ASSERT_TRUE(st_->apply_pack_specs(specs, t0_));
    const auto first = st_->pack_specs();
    ASSERT_TRUE(first);
    ASSERT_EQ(first->size(), 60u);
    for (std::size_t i = 0; i < 60; ++i) {
        EXPECT_EQ((*first)[i].name, "pack" + std::to_string(i));
        EXPECT_EQ((*first)[i].id, first->front().id + static_cast<std::int64_t>(i));
        EXPECT_EQ((*first)[i].queries.size(), 8u);
    }

    specs[5].queries[3].interval = 999;
    specs[6].target_labels = {"macOS", "All Hosts"};
    specs[7].target_teams = {"blue"};
    specs[8].queries.pop_back();
    specs[9].description = "changed";
    ASSERT_TRUE(st_->apply_pack_specs(specs, t0_ + 1));
    const auto second = st_->pack_specs();
    ASSERT_EQ(second->size(), 60u);
    for (std::size_t i = 0; i < 60; ++i) {
        EXPECT_EQ((*second)[i].id, (*first)[i].id);
        EXPECT_EQ((*second)[i].queries.size(), i == 8 ? 7u : 8u);
    }
    EXPECT_EQ((*second)[5].queries[3].interval, 999);
    EXPECT_EQ((*second)[5].queries[3].name, "s3"); // in place
    EXPECT_EQ((*second)[4].queries[3].interval, 63);
    EXPECT_EQ((*second)[6].target_labels, (std::vector<std::string>{"All Hosts", "macOS"}));
    EXPECT_EQ((*second)[7].target_teams, std::vector<std::string>{"blue"});
    EXPECT_EQ((*second)[7].target_labels, std::vector<std::string>{"All Hosts"});
    EXPECT_EQ((*second)[9].description, "changed");
    EXPECT_EQ((*second)[10].queries[0].snapshot, true);
    EXPECT_EQ((*second)[10].queries[1].snapshot, false);
}

INSTANTIATE_TEST_SUITE_P(backends, spec_store_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
