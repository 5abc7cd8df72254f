/// The black-box robustness test: the real `flotilla` binary, on SQLite and on
/// MariaDB, gets for every route malformed JSON, a wrong type or an
/// out-of-range number at every key, deep nesting, invalid UTF-8 and bad
/// percent-encoding in path parameters, without credentials and with valid
/// ones (an admin token, an enrolled agent's node key). Every answer must
/// arrive, be a 4xx with the JSON envelope (a 2xx only where the variant is a
/// valid request), and afterwards the server must be alive and hold exactly
/// what the accepted requests put there.

#include "actors/persistence_actor.hpp"
#include "http/api.hpp"
#include "tests/integration/robust_barrage.hpp"
#include "tests/support/backends.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <iostream>
#include <set>

using namespace flotilla;
using namespace flotilla::testing;
using namespace flotilla::testing::robust;

// The test's route list is the server's: a route added without a robustness
// case fails here.
TEST(robust, the_route_list_is_the_servers) {
    test_database db(backend::sqlite);
    std::shared_ptr<storage::store> store = db.open();
    ASSERT_NE(store, nullptr);
    caf::actor_system_config cfg;
    caf::actor_system sys(cfg);
    auto persistence = actors::spawn_persistence_actor(sys, store);
    std::set<std::pair<std::string, std::string>> served;
    {
        http::api api(sys, persistence, false);
        for (auto& r : api.routes_for_test())
            EXPECT_TRUE(served.insert(r).second)
                << "registered twice: " << r.first << " " << r.second;
    }
    caf::anon_send_exit(persistence, caf::exit_reason::user_shutdown);
    std::set<std::pair<std::string, std::string>> tested;
    for (const auto& r : all_routes())
        EXPECT_TRUE(tested.insert({r.method, r.pattern}).second)
            << "listed twice: " << r.method << " " << r.pattern;
    for (const auto& r : served)
        EXPECT_TRUE(tested.count(r)) << "no robustness cases for " << r.first << " " << r.second;
    for (const auto& r : tested)
        EXPECT_TRUE(served.count(r)) << "not a route of the server: " << r.first << " " << r.second;
}

namespace {

void every_route_answers_every_hostile_request_with_a_4xx(backend b) {
    served_binary srv(b);
    ASSERT_TRUE(srv.running()) << srv.output();
    barrage br(srv);

    // Before setup: only setup and the osquery routes exist; nothing completes setup.
    br.hostile_bodies_without_credentials();
    ASSERT_TRUE(br.alive()) << srv.output();

    state st = br.setup_and_baseline();
    ASSERT_FALSE(br.fatal()) << br.report() << srv.output();
    const auto before = br.stored_specs(st);

    br.every_route(st);
    br.known_crashers(st);
    EXPECT_EQ(br.failures(), 0u) << br.report();
    std::cout << "robust: " << br.sent() << " requests, " << br.accepted() << " accepted\n";

    // Afterwards: alive, answering, and holding exactly what was accepted.
    ASSERT_TRUE(srv.running()) << srv.output();
    br.check_alive_and_consistent(st, before);
    EXPECT_EQ(br.failures(), 0u) << br.report();
}

} // namespace

TEST(robust, every_route_answers_every_hostile_request_with_a_4xx_sqlite) {
    every_route_answers_every_hostile_request_with_a_4xx(backend::sqlite);
}

TEST(robust, every_route_answers_every_hostile_request_with_a_4xx_mysql) {
    every_route_answers_every_hostile_request_with_a_4xx(backend::mysql);
}
