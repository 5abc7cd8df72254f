/// The storage conformance suite: every test runs on SQLite and on MariaDB.

#include "storage/mysql/mysql_admin.hpp"
#include "tests/support/backends.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;

namespace {

class store_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(GetParam());
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
    }

    user make_user(std::string email, std::optional<role> r = role::observer) {
        user u;
        u.name = "User " + email;
        u.email = std::move(email);
        u.password_hash = "$argon2id$fake";
        u.global_role = r;
        return u;
    }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    const micros t0_ = seconds_to_micros(1'800'000'000);
};

} // namespace

TEST_P(store_test, reports_its_backend_and_answers_ping) {
    EXPECT_EQ(st_->backend_name(), backend_name(GetParam()));
    EXPECT_TRUE(st_->ping());
}

TEST_P(store_test, reopening_a_migrated_store_keeps_its_data) {
    ASSERT_TRUE(st_->new_user(make_user("a@example.com"), t0_));
    st_.reset();
    auto again = db_->open();
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(*again->count_users(), 1);
}

TEST_P(store_test, users_are_created_and_found) {
    EXPECT_EQ(*st_->count_users(), 0);
    auto u = st_->new_user(make_user("a@example.com", role::admin), t0_);
    ASSERT_TRUE(u) << u.err().message;
    EXPECT_GT(u->id, 0);
    EXPECT_EQ(u->created_at, t0_);
    EXPECT_EQ(*st_->count_users(), 1);

    auto by_email = st_->user_by_email("a@example.com");
    ASSERT_TRUE(by_email);
    EXPECT_EQ(by_email->id, u->id);
    EXPECT_EQ(by_email->name, "User a@example.com");
    EXPECT_EQ(by_email->password_hash, "$argon2id$fake");
    EXPECT_EQ(by_email->global_role, role::admin);
    EXPECT_EQ(by_email->created_at, t0_);

    auto by_id = st_->user_by_id(u->id);
    ASSERT_TRUE(by_id);
    EXPECT_EQ(by_id->email, "a@example.com");
}

TEST_P(store_test, a_user_without_global_role_reads_back_as_none) {
    auto u = st_->new_user(make_user("t@example.com", std::nullopt), t0_);
    ASSERT_TRUE(u);
    EXPECT_EQ(st_->user_by_id(u->id)->global_role, std::nullopt);
}

TEST_P(store_test, a_taken_email_is_already_exists) {
    ASSERT_TRUE(st_->new_user(make_user("a@example.com"), t0_));
    auto dup = st_->new_user(make_user("a@example.com"), t0_);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.err().code, errc::already_exists);
    ASSERT_EQ(dup.err().fields.size(), 1u);
    EXPECT_EQ(dup.err().fields[0].reason, "User \"a@example.com\" already exists");
    EXPECT_EQ(*st_->count_users(), 1);
}

TEST_P(store_test, unknown_users_are_not_found) {
    auto e = st_->user_by_email("nobody@example.com");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.err().code, errc::not_found);
    auto i = st_->user_by_id(12345);
    ASSERT_FALSE(i);
    EXPECT_EQ(i.err().code, errc::not_found);
}

TEST_P(store_test, sessions_are_created_touched_and_deleted) {
    auto u = st_->new_user(make_user("a@example.com"), t0_);
    ASSERT_TRUE(u);
    auto s = st_->new_session(u->id, "digest-1", t0_);
    ASSERT_TRUE(s);
    auto found = st_->session_by_digest("digest-1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, s->id);
    EXPECT_EQ(found->user_id, u->id);
    EXPECT_EQ(found->accessed_at, t0_);

    ASSERT_TRUE(st_->touch_session(s->id, t0_ + 5));
    EXPECT_EQ(st_->session_by_digest("digest-1")->accessed_at, t0_ + 5);

    ASSERT_TRUE(st_->delete_session(s->id));
    auto gone = st_->session_by_digest("digest-1");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.err().code, errc::not_found);
}

TEST_P(store_test, expired_sessions_are_swept_and_fresh_ones_kept) {
    auto u = st_->new_user(make_user("a@example.com"), t0_);
    ASSERT_TRUE(u);
    ASSERT_TRUE(st_->new_session(u->id, "old", t0_));
    ASSERT_TRUE(st_->new_session(u->id, "fresh", t0_ + seconds_to_micros(3600)));
    auto removed = st_->delete_expired_sessions(t0_ + session_idle_lifetime + 1);
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, 1);
    EXPECT_FALSE(st_->session_by_digest("old"));
    EXPECT_TRUE(st_->session_by_digest("fresh"));
}

TEST_P(store_test, app_config_is_absent_until_saved_then_round_trips) {
    auto none = st_->load_app_config();
    ASSERT_FALSE(none);
    EXPECT_EQ(none.err().code, errc::not_found);

    auto cfg =
        new_app_config({"Acme", "https://acme.example/logo.png"}, "https://fleet.acme.example");
    ASSERT_TRUE(st_->save_app_config(cfg));
    auto loaded = st_->load_app_config();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->org().org_name, "Acme");
    EXPECT_EQ(loaded->org().org_logo_url, "https://acme.example/logo.png");
    EXPECT_EQ(loaded->server_url(), "https://fleet.acme.example");
    EXPECT_EQ(loaded->agent_options(), default_agent_options());
    EXPECT_EQ(loaded->doc, cfg.doc);

    auto renamed = patch_app_config(
        cfg, boost::json::parse(R"({"org_info":{"org_name":"Acme 2"}})").as_object());
    ASSERT_TRUE(renamed) << renamed.err().message;
    ASSERT_TRUE(st_->save_app_config(*renamed));
    EXPECT_EQ(st_->load_app_config()->org().org_name, "Acme 2");
    EXPECT_EQ(st_->load_app_config()->org().org_logo_url, "https://acme.example/logo.png");
}

TEST_P(store_test, global_enroll_secrets_are_replaced_keeping_created_at) {
    ASSERT_TRUE(st_->apply_global_enroll_secrets({"s1", "s2"}, t0_));
    auto first = st_->global_enroll_secrets();
    ASSERT_TRUE(first);
    ASSERT_EQ(first->size(), 2u);

    ASSERT_TRUE(st_->apply_global_enroll_secrets({"s2", "s3"}, t0_ + 100));
    auto second = st_->global_enroll_secrets();
    ASSERT_TRUE(second);
    ASSERT_EQ(second->size(), 2u);
    std::map<std::string, micros> by_secret;
    for (const auto& s : *second) {
        by_secret[s.secret] = s.created_at;
        EXPECT_EQ(s.team_id, std::nullopt);
    }
    EXPECT_EQ(by_secret.count("s1"), 0u);
    EXPECT_EQ(by_secret.at("s2"), t0_);
    EXPECT_EQ(by_secret.at("s3"), t0_ + 100);

    auto s3 = st_->enroll_secret_by_value("s3");
    ASSERT_TRUE(s3);
    EXPECT_EQ(s3->created_at, t0_ + 100);
    auto s1 = st_->enroll_secret_by_value("s1");
    ASSERT_FALSE(s1);
    EXPECT_EQ(s1.err().code, errc::not_found);

    ASSERT_TRUE(st_->apply_global_enroll_secrets({}, t0_ + 200));
    EXPECT_TRUE(st_->global_enroll_secrets()->empty());
}

TEST_P(store_test, a_secret_repeated_in_one_apply_is_stored_once) {
    ASSERT_TRUE(st_->apply_global_enroll_secrets({"s1", "s1"}, t0_));
    EXPECT_EQ(st_->global_enroll_secrets()->size(), 1u);
}

TEST_P(store_test, a_failed_transaction_writes_nothing) {
    auto r = st_->transaction([&]() -> expected<void> {
        if (auto u = st_->new_user(make_user("a@example.com"), t0_); !u)
            return u.err();
        if (auto s = st_->apply_global_enroll_secrets({"kept?"}, t0_); !s)
            return s;
        return st_->new_user(make_user("a@example.com"), t0_).err(); // duplicate: fails
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::already_exists);
    EXPECT_EQ(*st_->count_users(), 0);
    EXPECT_TRUE(st_->global_enroll_secrets()->empty());
}

TEST_P(store_test, a_successful_transaction_commits_everything) {
    auto r = st_->transaction([&]() -> expected<void> {
        if (auto u = st_->new_user(make_user("a@example.com"), t0_); !u)
            return u.err();
        return st_->apply_global_enroll_secrets({"s"}, t0_);
    });
    ASSERT_TRUE(r) << r.err().message;
    EXPECT_EQ(*st_->count_users(), 1);
    EXPECT_EQ(st_->global_enroll_secrets()->size(), 1u);
}

TEST_P(store_test, users_are_listed_updated_and_deleted_with_their_sessions) {
    auto a = st_->new_user(make_user("a@example.com", role::admin), t0_);
    auto b = st_->new_user(make_user("b@example.com"), t0_);
    ASSERT_TRUE(a && b);
    auto all = st_->list_users();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].email, "a@example.com");
    EXPECT_EQ((*all)[1].email, "b@example.com");

    user changed = *b;
    changed.name = "Bea";
    changed.global_role.reset();
    changed.force_password_reset = true;
    auto saved = st_->update_user(changed, t0_ + 5);
    ASSERT_TRUE(saved) << saved.err().message;
    EXPECT_EQ(saved->updated_at, t0_ + 5);
    auto again = st_->user_by_id(b->id);
    EXPECT_EQ(again->name, "Bea");
    EXPECT_FALSE(again->global_role);
    EXPECT_TRUE(again->force_password_reset);
    // Saving it unchanged is no "not found" (MariaDB counts changed rows only).
    EXPECT_TRUE(st_->update_user(*again, t0_ + 5));
    changed.email = "a@example.com";
    EXPECT_EQ(st_->update_user(changed, t0_).err().code, errc::already_exists);
    changed.id = 999999;
    changed.email = "z@example.com";
    EXPECT_EQ(st_->update_user(changed, t0_).err().code, errc::not_found);

    auto s1 = st_->new_session(b->id, "d1", t0_);
    auto s2 = st_->new_session(b->id, "d2", t0_);
    ASSERT_TRUE(s1 && s2);
    EXPECT_EQ(st_->user_sessions(b->id)->size(), 2u);
    EXPECT_EQ(*st_->delete_user_sessions(b->id, s2->id), 1);
    ASSERT_EQ(st_->user_sessions(b->id)->size(), 1u);
    EXPECT_EQ(st_->user_sessions(b->id)->at(0).id, s2->id);
    ASSERT_TRUE(st_->delete_user(b->id));
    EXPECT_EQ(st_->user_by_id(b->id).err().code, errc::not_found);
    EXPECT_EQ(st_->session_by_digest("d2").err().code, errc::not_found);
    EXPECT_EQ(st_->delete_user(b->id).err().code, errc::not_found);
}

TEST_P(store_test, activities_are_appended_and_listed_in_order_with_their_actor) {
    auto a = st_->new_user(make_user("a@example.com", role::admin), t0_);
    ASSERT_TRUE(a);
    for (int i = 0; i < 3; ++i) {
        activity act;
        act.created_at = t0_ + i;
        act.actor_id = a->id;
        act.actor_name = a->name;
        act.actor_email = a->email;
        act.type = i == 1 ? "live_query" : "applied_spec_pack";
        act.details = boost::json::object{{"n", i}};
        ASSERT_TRUE(st_->new_activity(act));
    }
    auto asc = st_->list_activities("id", false, 0, std::nullopt);
    ASSERT_TRUE(asc) << asc.err().message;
    ASSERT_EQ(asc->size(), 3u);
    EXPECT_EQ((*asc)[0].details.at("n"), 0);
    EXPECT_EQ((*asc)[0].actor_id, a->id);
    EXPECT_EQ((*asc)[0].actor_gravatar, "");
    auto page = st_->list_activities("created_at", true, 1, 1);
    ASSERT_EQ(page->size(), 1u);
    EXPECT_EQ(page->at(0).details.at("n"), 1);
    EXPECT_EQ(st_->list_activities("type", false, 0, 1)->at(0).type, "applied_spec_pack");
    EXPECT_EQ(st_->list_activities("details", false, 0, 1).err().code, errc::invalid_argument);
    // The activity outlives its user: no id, no gravatar, the name and email kept.
    ASSERT_TRUE(st_->delete_user(a->id));
    auto after = st_->list_activities("id", false, 0, std::nullopt);
    EXPECT_FALSE(after->at(0).actor_id);
    EXPECT_FALSE(after->at(0).actor_gravatar);
    EXPECT_EQ(after->at(0).actor_email, "a@example.com");
}

INSTANTIATE_TEST_SUITE_P(backends, store_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});

// --- MariaDB only ------------------------------------------------------------------

TEST(mysql_store, serve_mode_refuses_an_unprepared_database) {
    auto server = test_mysql_server();
    ASSERT_FALSE(server.address.empty());
    server.database = "flotilla_unprepared_" + std::to_string(getpid());
    ASSERT_TRUE(storage::mysql_admin_execute(server, "CREATE DATABASE " + server.database));
    auto st = storage::open_mysql_store(server, storage::migrate_mode::require_current);
    ASSERT_FALSE(st);
    EXPECT_NE(st.err().message.find("run `flotilla prepare db` first"), std::string::npos)
        << st.err().message;
    auto prepared = storage::open_mysql_store(server, storage::migrate_mode::apply);
    ASSERT_TRUE(prepared) << prepared.err().message;
    EXPECT_TRUE(storage::open_mysql_store(server, storage::migrate_mode::require_current));
    (void)storage::mysql_admin_execute(server, "DROP DATABASE " + server.database);
}

TEST(mysql_store, reconnects_after_the_server_drops_the_connection) {
    test_database db(backend::mysql);
    auto st = db.open();
    ASSERT_NE(st, nullptr);
    ASSERT_TRUE(st->apply_global_enroll_secrets({"before"}, 1));
    auto ids = storage::mysql_connection_ids_for_test(db.mysql(), db.mysql().database);
    ASSERT_TRUE(ids) << ids.err().message;
    ASSERT_FALSE(ids->empty());
    for (auto id : *ids)
        ASSERT_TRUE(storage::mysql_admin_execute(db.mysql(), "KILL " + std::to_string(id)));
    // The next call finds the connection gone (2006/2013), reconnects, re-prepares
    // and retries.
    auto secrets = st->global_enroll_secrets();
    ASSERT_TRUE(secrets) << secrets.err().message;
    ASSERT_EQ(secrets->size(), 1u);
    EXPECT_EQ((*secrets)[0].secret, "before");
    EXPECT_TRUE(st->apply_global_enroll_secrets({"after"}, 2));
}

TEST(mysql_store, unreachable_server_is_a_clear_error) {
    storage::mysql_options o;
    o.address = "/nonexistent/mysqld.sock";
    auto st = storage::open_mysql_store(o, storage::migrate_mode::apply);
    ASSERT_FALSE(st);
    EXPECT_NE(st.err().message.find("cannot connect to MySQL"), std::string::npos)
        << st.err().message;
}
