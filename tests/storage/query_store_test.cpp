/// Conformance for the saved query rows the REST API reads and writes
/// (saved_query_details, new/update/delete_saved_queries), on SQLite and
/// MariaDB: ad-hoc queries stay out of sight, authors and packs come along,
/// renames reach the packs, deletes cascade to them.

#include "tests/support/backends.hpp"

#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;

namespace {

class query_store_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(GetParam());
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
        user u;
        u.name = "Ann";
        u.email = "ann@example.com";
        u.password_hash = "h";
        u.global_role = role::admin;
        auto created = st_->new_user(u, t0_);
        ASSERT_TRUE(created);
        author_ = *created;
    }

    std::int64_t add(const std::string& name, bool observer_can_run = false) {
        query q;
        q.name = name;
        q.description = "about " + name;
        q.sql = "SELECT '" + name + "'";
        q.observer_can_run = observer_can_run;
        q.author_id = author_.id;
        auto id = st_->new_saved_query(q, t0_);
        EXPECT_TRUE(id) << (id ? "" : id.err().message);
        return id ? *id : 0;
    }

    /// A pack scheduling `queries` (each under its own name and under "<name>-again").
    void schedule(const std::string& pack, const std::vector<std::string>& queries) {
        pack_spec p;
        p.name = pack;
        for (const auto& q : queries) {
            p.queries.push_back({q, q, "", 60, {}, {}, {}, {}, {}, {}});
            p.queries.push_back({q, q + "-again", "", 120, {}, {}, {}, {}, {}, {}});
        }
        ASSERT_TRUE(st_->apply_pack_specs({p}, t0_));
    }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    user author_;
    const micros t0_ = seconds_to_micros(1'800'000'000);
};

} // namespace

TEST_P(query_store_test, a_new_saved_query_reads_back_with_its_author) {
    const auto id = add("uptime", true);
    ASSERT_GT(id, 0);
    auto d = st_->saved_query_details_by_id(id);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->q.id, id);
    EXPECT_EQ(d->q.name, "uptime");
    EXPECT_EQ(d->q.description, "about uptime");
    EXPECT_EQ(d->q.sql, "SELECT 'uptime'");
    EXPECT_TRUE(d->q.saved);
    EXPECT_TRUE(d->q.observer_can_run);
    EXPECT_EQ(d->q.author_id, author_.id);
    EXPECT_EQ(d->q.created_at, t0_);
    EXPECT_EQ(d->q.updated_at, t0_);
    EXPECT_EQ(d->author_name, "Ann");
    EXPECT_EQ(d->author_email, "ann@example.com");
    EXPECT_TRUE(d->packs.empty());

    // The name is unique among all queries.
    query again;
    again.name = "uptime";
    again.sql = "SELECT 2";
    auto dup = st_->new_saved_query(again, t0_);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.err().code, errc::already_exists);
    EXPECT_EQ(st_->saved_query_details_by_id(999999).err().code, errc::not_found);

    // Once the author is gone the query has none.
    ASSERT_TRUE(st_->delete_user(author_.id));
    d = st_->saved_query_details_by_id(id);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->q.author_id, std::nullopt);
    EXPECT_EQ(d->author_name, "");
    EXPECT_EQ(d->author_email, "");
}

TEST_P(query_store_test, ad_hoc_queries_are_not_saved_queries) {
    const auto saved = add("saved");
    auto c = st_->new_campaign(std::nullopt, std::string("SELECT 'adhoc'"), author_,
                               target_selection{}, t0_);
    ASSERT_TRUE(c) << c.err().message;
    const auto adhoc = c->second.id;
    ASSERT_FALSE(c->second.saved);

    auto all = st_->saved_query_details();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front().q.id, saved);
    EXPECT_EQ(st_->saved_query_details_by_id(adhoc).err().code, errc::not_found);
    query q = c->second;
    q.name = "taken-over";
    EXPECT_EQ(st_->update_saved_query(q, t0_).err().code, errc::not_found);
    auto n = st_->delete_saved_queries({adhoc});
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0);
    EXPECT_TRUE(st_->query_by_id(adhoc)); // still there for its campaign
    // Its name is taken all the same.
    query clash;
    clash.name = c->second.name;
    clash.sql = "SELECT 1";
    EXPECT_EQ(st_->new_saved_query(clash, t0_).err().code, errc::already_exists);
}

TEST_P(query_store_test, the_packs_that_schedule_a_query_are_listed_once_each) {
    const auto a = add("a");
    const auto b = add("b");
    add("c");
    schedule("first", {"a", "b"});
    schedule("second", {"a"});
    auto all = st_->saved_query_details();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    ASSERT_EQ((*all)[0].packs.size(), 2u);
    EXPECT_EQ((*all)[0].packs[0].name, "first");
    EXPECT_EQ((*all)[0].packs[1].name, "second");
    EXPECT_EQ((*all)[0].packs[0].type, std::nullopt);
    EXPECT_EQ((*all)[0].packs[0].created_at, t0_);
    ASSERT_EQ((*all)[1].packs.size(), 1u);
    EXPECT_EQ((*all)[1].packs[0].name, "first");
    EXPECT_TRUE((*all)[2].packs.empty());
    auto one = st_->saved_query_details_by_id(a);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->packs.size(), 2u);
    EXPECT_EQ(one->packs[1].name, "second");
    one = st_->saved_query_details_by_id(b);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->packs.size(), 1u);
}

TEST_P(query_store_test, an_update_writes_every_field_and_packs_follow_a_rename) {
    const auto a = add("a");
    add("b");
    schedule("pack", {"a"});
    auto d = st_->saved_query_details_by_id(a);
    ASSERT_TRUE(d);
    query q = d->q;
    q.name = "renamed";
    q.description = "new words";
    q.sql = "SELECT 42";
    q.observer_can_run = true;
    ASSERT_TRUE(st_->update_saved_query(q, t0_ + 5));
    d = st_->saved_query_details_by_id(a);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->q.name, "renamed");
    EXPECT_EQ(d->q.description, "new words");
    EXPECT_EQ(d->q.sql, "SELECT 42");
    EXPECT_TRUE(d->q.observer_can_run);
    EXPECT_EQ(d->q.created_at, t0_);
    EXPECT_EQ(d->q.updated_at, t0_ + 5);
    ASSERT_EQ(d->packs.size(), 1u);
    auto pack = st_->pack_spec_by_name("pack");
    ASSERT_TRUE(pack);
    ASSERT_EQ(pack->queries.size(), 2u);
    EXPECT_EQ(pack->queries[0].query, "renamed");
    EXPECT_EQ(pack->queries[1].query, "renamed");

    // The same values again change no row (MariaDB then reports 0 rows): still fine.
    EXPECT_TRUE(st_->update_saved_query(q, t0_ + 5));
    q.name = "b";
    auto taken = st_->update_saved_query(q, t0_ + 6);
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.err().code, errc::already_exists);
    EXPECT_EQ(st_->saved_query_details_by_id(a)->q.name, "renamed");
    q.id = 999999;
    q.name = "ghost";
    EXPECT_EQ(st_->update_saved_query(q, t0_).err().code, errc::not_found);
}

TEST_P(query_store_test, deleting_counts_each_query_once_and_empties_the_packs) {
    const auto a = add("a");
    const auto b = add("b");
    const auto c = add("c");
    schedule("pack", {"a", "c"});
    auto n = st_->delete_saved_queries({a, a, 999999});
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1);
    EXPECT_EQ(st_->saved_query_details_by_id(a).err().code, errc::not_found);
    auto pack = st_->pack_spec_by_name("pack");
    ASSERT_TRUE(pack);
    ASSERT_EQ(pack->queries.size(), 2u);
    EXPECT_EQ(pack->queries[0].query, "c");

    // More ids than one statement takes.
    std::vector<std::int64_t> many;
    for (std::int64_t i = 0; i < 1200; ++i)
        many.push_back(100000 + i);
    many.push_back(c);
    many.push_back(b);
    n = st_->delete_saved_queries(many);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 2);
    EXPECT_TRUE(st_->saved_query_details()->empty());
    EXPECT_TRUE(st_->pack_spec_by_name("pack")->queries.empty());
    n = st_->delete_saved_queries({});
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0);
}

INSTANTIATE_TEST_SUITE_P(backends, query_store_test, ::testing::ValuesIn(all_backends()),
                         backend_printer());
