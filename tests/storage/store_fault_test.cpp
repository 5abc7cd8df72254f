/// Store faults below the HTTP layer: a MariaDB killed under the driver (its own
/// server, which the test kills with SIGKILL and starts again), a SQLite file
/// locked by another writer, and the persistence actor's handling of writes it
/// must keep while the store is unavailable.

#include "actors/deferred_writes.hpp"
#include "actors/messages.hpp"
#include "actors/persistence_actor.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/mariadb_server.hpp"

#include <caf/all.hpp>
#include <future>
#include <gtest/gtest.h>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;

namespace {

user make_user(std::string email) {
    user u;
    u.name = "User " + email;
    u.email = std::move(email);
    u.password_hash = "$argon2id$fake";
    u.global_role = role::admin;
    return u;
}

std::unique_ptr<storage::store> open_or_fail(const storage::mysql_options& o) {
    auto st = storage::open_mysql_store(o, storage::migrate_mode::require_current);
    if (!st) {
        ADD_FAILURE() << st.err().message;
        return nullptr;
    }
    return std::move(*st);
}

std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t);
}

} // namespace

// The crash: a transaction whose connection dies, then its rollback.
TEST(store_fault, mysql_kill_9_inside_a_transaction_fails_it_fast_and_recovers) {
    mariadb_server mdb;
    mdb.create_database("flotilla");
    auto st = open_or_fail(mdb.options("flotilla"));
    ASSERT_NE(st, nullptr);
    auto author = st->new_user(make_user("a@example.com"), 1);
    ASSERT_TRUE(author) << author.err().message;
    ASSERT_TRUE(st->apply_global_enroll_secrets({"before"}, 1));

    auto done = st->transaction([&]() -> expected<void> {
        if (auto ok = st->apply_global_enroll_secrets({"inside"}, 2); !ok)
            return ok;
        mdb.kill();
        // Every statement of the broken transaction fails; none runs on a new
        // connection (that would commit half of it).
        if (auto ok = st->apply_query_specs({{"q", "", "SELECT 1", false}}, author->id, 2); !ok)
            return ok;
        return {};
    });
    ASSERT_FALSE(done);
    EXPECT_EQ(done.err().code, errc::unavailable) << done.err().message;
    EXPECT_EQ(done.err().message.rfind("the store is unavailable: ", 0), 0u) << done.err().message;

    // Down: every call fails at once with the same code, however many there are.
    for (int i = 0; i < 50; ++i) {
        const auto t = std::chrono::steady_clock::now();
        auto n = st->count_users();
        ASSERT_FALSE(n);
        EXPECT_EQ(n.err().code, errc::unavailable) << n.err().message;
        EXPECT_LT(elapsed_since(t), 500ms);
    }
    auto failed_tx = st->transaction([&]() -> expected<void> { return {}; });
    ASSERT_FALSE(failed_tx);
    EXPECT_EQ(failed_tx.err().code, errc::unavailable);

    // Back: the driver reconnects by itself (backoff ≤ 5 s) and nothing of the
    // killed transaction was kept.
    mdb.start();
    ASSERT_TRUE(wait_until([&] { return static_cast<bool>(st->count_users()); }, 15s, 20ms));
    auto secrets = st->global_enroll_secrets();
    ASSERT_TRUE(secrets) << secrets.err().message;
    ASSERT_EQ(secrets->size(), 1u);
    EXPECT_EQ((*secrets)[0].secret, "before");
    EXPECT_TRUE(st->saved_queries()->empty());
    ASSERT_TRUE(st->apply_global_enroll_secrets({"after"}, 3));
    EXPECT_EQ(st->global_enroll_secrets()->at(0).secret, "after");
}

TEST(store_fault, sqlite_locked_by_another_writer_is_unavailable_not_a_crash) {
    test_database db(backend::sqlite);
    auto holder = db.open();
    auto st = db.open();
    ASSERT_NE(holder, nullptr);
    ASSERT_NE(st, nullptr);
    std::promise<void> locked, release;
    auto release_f = release.get_future().share();
    std::thread writer([&] {
        (void)holder->transaction([&]() -> expected<void> {
            auto ok = holder->apply_global_enroll_secrets({"held"}, 1);
            locked.set_value();
            release_f.wait();
            return ok;
        });
    });
    locked.get_future().wait();
    // Past busy_timeout (5 s) the write gives up with 503's code, naming the lock.
    auto blocked = st->apply_global_enroll_secrets({"blocked"}, 2);
    release.set_value();
    writer.join();
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.err().code, errc::unavailable) << blocked.err().message;
    EXPECT_NE(blocked.err().message.find("locked"), std::string::npos) << blocked.err().message;
    // The lock gone, the same store works, and the first writer's commit stands.
    EXPECT_EQ(st->global_enroll_secrets()->at(0).secret, "held");
    ASSERT_TRUE(st->apply_global_enroll_secrets({"after"}, 3));
}

// --- the queue of kept writes ---------------------------------------------------------

namespace {

/// A store for deferred_writes to pass along (the writes below do not use it).
class deferred_writes_test : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(backend::sqlite);
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
    }

    /// A write of `bytes` that is refused while `down_` and records its id when run.
    actors::acked_write write(int id, std::size_t bytes = 10) {
        actors::acked_write w;
        w.what = "write " + std::to_string(id);
        w.bytes = bytes;
        w.run = [this, id](storage::store&) -> expected<void> {
            if (down_)
                return error::unavailable("the store is unavailable: test");
            written_.push_back(id);
            return {};
        };
        return w;
    }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    bool down_ = false;
    std::vector<int> written_;
};

} // namespace

TEST_F(deferred_writes_test, writes_run_at_once_while_the_store_answers) {
    actors::deferred_writes q(1000, nullptr);
    q.submit(*st_, write(1));
    q.submit(*st_, write(2));
    EXPECT_EQ(written_, (std::vector<int>{1, 2}));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.counters().kept, 0u);
}

TEST_F(deferred_writes_test, kept_while_unavailable_and_replayed_in_order) {
    actors::deferred_writes q(1000, nullptr);
    down_ = true;
    for (int i = 1; i <= 3; ++i)
        q.submit(*st_, write(i));
    EXPECT_TRUE(written_.empty());
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(q.bytes(), 30u);
    EXPECT_EQ(q.counters().pending, 3u);
    EXPECT_EQ(q.retry(*st_, 10), 0u); // still down
    down_ = false;
    q.submit(*st_, write(4)); // behind the kept ones, not before them
    EXPECT_TRUE(written_.empty());
    EXPECT_EQ(q.retry(*st_, 2), 2u);
    EXPECT_EQ(q.retry(*st_, 10), 2u);
    EXPECT_EQ(written_, (std::vector<int>{1, 2, 3, 4}));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.counters().kept, 4u);
    EXPECT_EQ(q.counters().written_late, 4u);
    EXPECT_EQ(q.counters().dropped, 0u);
    EXPECT_EQ(q.counters().pending, 0u);
    EXPECT_EQ(q.counters().pending_bytes, 0u);
}

TEST_F(deferred_writes_test, past_the_byte_limit_the_oldest_are_dropped_and_counted) {
    actors::deferred_writes q(100, nullptr);
    down_ = true;
    for (int i = 1; i <= 5; ++i)
        q.submit(*st_, write(i, 40));
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(q.bytes(), 80u);
    EXPECT_EQ(q.counters().dropped, 3u);
    down_ = false;
    q.retry(*st_, 10);
    EXPECT_EQ(written_, (std::vector<int>{4, 5}));
}

TEST_F(deferred_writes_test, other_errors_and_exceptions_are_given_up_and_counted) {
    actors::deferred_writes q(1000, nullptr);
    actors::acked_write bad;
    bad.what = "a bad write";
    bad.run = [](storage::store&) -> expected<void> { return error::backend("no such table"); };
    q.submit(*st_, std::move(bad));
    actors::acked_write throws;
    throws.what = "a throwing write";
    throws.run = [](storage::store&) -> expected<void> { throw std::runtime_error("boom"); };
    q.submit(*st_, std::move(throws));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.counters().failed, 2u);
    q.submit(*st_, write(1));
    EXPECT_EQ(written_, (std::vector<int>{1}));
}

TEST(persistence_actor, a_job_that_throws_still_answers_and_is_counted) {
    test_database db(backend::sqlite);
    std::shared_ptr<storage::store> st = db.open();
    ASSERT_NE(st, nullptr);
    caf::actor_system_config cfg;
    cfg.set("logger.console", caf::atom("none"));
    caf::actor_system sys(cfg);
    actors::persistence_options opts;
    opts.counters = std::make_shared<actors::deferred_counters>();
    auto p = actors::spawn_persistence_actor(sys, st, opts);
    std::promise<error> answered;
    caf::anon_send(p, actors::job_atom::value,
                   actors::store_job{[](storage::store&) { throw std::runtime_error("boom"); },
                                     [&](const error& e) { answered.set_value(e); }});
    auto f = answered.get_future();
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    auto e = f.get();
    EXPECT_EQ(e.code, errc::backend_failure);
    EXPECT_EQ(e.message, "internal error: boom");
    EXPECT_EQ(opts.counters->job_exceptions, 1u);
    // The actor goes on serving jobs.
    std::promise<std::int64_t> users;
    caf::anon_send(p, actors::job_atom::value, actors::store_job{[&](storage::store& s) {
                       users.set_value(s.count_users().value());
                   }});
    auto uf = users.get_future();
    ASSERT_EQ(uf.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(uf.get(), 0);
    caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
}

namespace {

/// A persistence actor over a SQLite store, and a scoped actor to ask it.
struct persistence_fixture {
    persistence_fixture() {
        st = db.open();
        cfg.set("logger.console", caf::atom("none"));
        sys.emplace(cfg);
        opts.counters = std::make_shared<actors::deferred_counters>();
        p = actors::spawn_persistence_actor(*sys, st, opts);
    }
    ~persistence_fixture() { caf::anon_send_exit(p, caf::exit_reason::user_shutdown); }

    test_database db{backend::sqlite};
    std::shared_ptr<storage::store> st;
    caf::actor_system_config cfg;
    std::optional<caf::actor_system> sys;
    actors::persistence_options opts;
    caf::actor p;
};

} // namespace

TEST(persistence_actor, a_store_query_is_answered_by_response_and_a_throwing_one_by_an_error) {
    persistence_fixture f;
    ASSERT_NE(f.st, nullptr);
    ASSERT_TRUE(f.st->new_user(make_user("q@example.com"), 1));
    caf::scoped_actor self{*f.sys};
    std::int64_t users = -1;
    self->request(f.p, 5s, actors::ask_atom::value, actors::make_store_query([](storage::store& s) {
                      return s.count_users().value();
                  }))
        .receive([&](std::int64_t n) { users = n; },
                 [&](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
    EXPECT_EQ(users, 1);

    std::string refused;
    self->request(f.p, 5s, actors::ask_atom::value,
                  actors::make_store_query(
                      [](storage::store&) -> int { throw std::runtime_error("boom"); }))
        .receive([&](int) { ADD_FAILURE() << "a throwing query was answered"; },
                 [&](caf::error& e) { refused = caf::to_string(e); });
    EXPECT_NE(refused.find("runtime_error"), std::string::npos) << refused;
    EXPECT_NE(refused.find("boom"), std::string::npos) << refused;
    EXPECT_EQ(f.opts.counters->job_exceptions, 1u);
}

TEST(persistence_actor, an_acked_write_is_answered_once_kept_while_the_store_is_unavailable) {
    persistence_fixture f;
    ASSERT_NE(f.st, nullptr);
    auto down = std::make_shared<std::atomic<bool>>(true);
    auto runs = std::make_shared<std::atomic<int>>(0);
    actors::acked_write w;
    w.what = "a test write";
    w.bytes = 10;
    w.run = [down, runs](storage::store&) -> expected<void> {
        ++*runs;
        if (*down)
            return error::unavailable("the store is unavailable: test");
        return {};
    };
    caf::scoped_actor self{*f.sys};
    bool answered = false;
    self->request(f.p, 5s, actors::acked_atom::value, std::move(w))
        .receive([&](actors::acked_atom) { answered = true; },
                 [&](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
    // The sender goes on although the write is not written: it is kept.
    EXPECT_TRUE(answered);
    EXPECT_EQ(f.opts.counters->kept, 1u);
    EXPECT_EQ(f.opts.counters->pending, 1u);
    *down = false;
    EXPECT_TRUE(wait_until([&] { return f.opts.counters->written_late == 1u; }, 10s));
    EXPECT_EQ(f.opts.counters->pending, 0u);
    EXPECT_GE(runs->load(), 2);
}
