/// MariaDB killed (SIGKILL) and started again while agents check in, against a
/// whole Flotilla on its own MariaDB: the server survives, check-ins are still
/// answered from memory, store work is a 503 with the JSON envelope while the
/// store is down, and once MariaDB is back everything acknowledged meanwhile
/// (seen times, detail and label results) reaches the database, without
/// restarting Flotilla.

#include "tests/support/agent.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/mariadb_server.hpp"
#include "tests/support/test_server.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;
namespace bj = boost::json;

namespace {

constexpr int agent_count = 20;
/// A request that needs the store must be answered within this while it is down.
constexpr auto answer_deadline = 2s;

using steady = std::chrono::steady_clock;

/// Expects a 503 with Fleet's envelope naming the store fault.
void expect_store_unavailable(const http_reply& r, const std::string& what) {
    EXPECT_EQ(r.status, 503) << what << ": " << r.body;
    bj::value v;
    try {
        v = r.json();
    } catch (const std::exception&) {
        ADD_FAILURE() << what << ": not JSON: " << r.body;
        return;
    }
    const std::string message(v.at("message").as_string());
    EXPECT_EQ(message.rfind("the store is unavailable: ", 0), 0u) << what << ": " << r.body;
    const auto& errors = v.at("errors").as_array();
    ASSERT_EQ(errors.size(), 1u) << what;
    EXPECT_EQ(errors[0].at("name"), "base") << what;
    EXPECT_EQ(errors[0].at("reason").as_string(), message) << what;
}

const char* one_query = R"({"specs":[{"name":"during_outage","query":"SELECT 1"}]})";

} // namespace

TEST(mysql_outage, mariadb_killed_and_restarted_while_agents_check_in) {
    mariadb_server mdb;
    mdb.create_database("flotilla");
    auto opened =
        storage::open_mysql_store(mdb.options("flotilla"), storage::migrate_mode::require_current);
    ASSERT_TRUE(opened) << opened.err().message;
    server_options so;
    so.checkin.seen_flush_interval = 50ms;
    so.checkin.catalog_refresh = 50ms;
    test_server srv(std::move(*opened), so);
    const std::string token = srv.setup();
    auto inspect =
        storage::open_mysql_store(mdb.options("flotilla"), storage::migrate_mode::require_current);
    ASSERT_TRUE(inspect) << inspect.err().message;
    auto& db = **inspect;
    const std::string secret = db.global_enroll_secrets()->at(0).secret;

    std::vector<std::unique_ptr<simulated_agent>> agents;
    for (int i = 0; i < agent_count; ++i) {
        agent_identity id;
        id.host_identifier = "agent-" + std::to_string(i);
        id.hostname = id.host_identifier + ".local";
        id.uuid = "00000000-0000-0000-0000-0000000000" + std::to_string(10 + i);
        agents.push_back(std::make_unique<simulated_agent>(srv.port(), srv.client_opts(), id));
        ASSERT_EQ(agents.back()->enroll(secret), 200);
    }
    auto admin = srv.client();
    const header_list bearer{{"Authorization", "Bearer " + token}};

    // --- MariaDB dies ---------------------------------------------------------------
    mdb.kill();
    srv.advance(30s);
    const micros outage_time = srv.now();

    // Check-ins are answered from memory; their results are acknowledged.
    for (auto& a : agents) {
        const auto t = steady::now();
        auto due = a->read();
        ASSERT_EQ(due.status, 200) << due.body;
        const bj::value body = due.json();
        const auto& queries = body.at("queries").as_object();
        EXPECT_TRUE(queries.contains("fleet_label_query_6")) << due.body;
        EXPECT_TRUE(queries.contains("fleet_detail_query_network_interface")) << due.body;
        auto wrote = a->answer(queries);
        EXPECT_EQ(wrote.status, 200) << wrote.body;
        EXPECT_LT(steady::now() - t, answer_deadline);
    }

    // Store work is a 503 naming the fault, answered at once (no hang).
    auto timed = [&](const std::string& what, auto call) {
        const auto t = steady::now();
        http_reply r = call();
        EXPECT_LT(steady::now() - t, answer_deadline) << what;
        expect_store_unavailable(r, what);
    };
    timed("config", [&] { return agents[0]->config(); });
    timed("apply",
          [&] { return admin->request("POST", "/api/v1/fleet/spec/queries", one_query, bearer); });
    timed("login", [&] {
        return admin->request(
            "POST", "/api/v1/fleet/login",
            bj::serialize(bj::object{{"email", admin_email}, {"password", admin_password}}));
    });
    timed("me", [&] { return admin->request("GET", "/api/v1/fleet/me", "", bearer); });
    timed("status/live_query",
          [&] { return admin->request("GET", "/api/v1/fleet/status/live_query", "", bearer); });
    timed("status/result_store",
          [&] { return admin->request("GET", "/api/v1/fleet/status/result_store", "", bearer); });
    timed("enroll", [&] {
        return admin->request(
            "POST", "/api/v1/osquery/enroll",
            bj::serialize(bj::object{{"enroll_secret", secret}, {"host_identifier", "late"}}));
    });

    // Seen times and results are kept for later, none dropped (the registry
    // hands check-in results over in batches: at least one batch of results and
    // one chunk of seen times).
    const auto& kept = srv.deferred_counters();
    ASSERT_TRUE(wait_until([&] { return kept.kept >= 2; }, 5s)) << kept.kept;
    EXPECT_EQ(kept.dropped, 0u);

    // --- MariaDB is back -------------------------------------------------------------
    mdb.start();
    ASSERT_TRUE(wait_until(
        [&] {
            return admin->request("POST", "/api/v1/fleet/spec/queries", one_query, bearer).status ==
                   200;
        },
        15s, 50ms))
        << "no apply succeeded within 15 s of MariaDB's restart";
    ASSERT_TRUE(wait_until([&] { return kept.pending == 0; }, 10s)) << kept.pending;
    EXPECT_EQ(kept.dropped, 0u);
    EXPECT_EQ(kept.failed, 0u);
    EXPECT_GE(kept.written_late, 2u);
    EXPECT_EQ(kept.written_late, kept.kept);

    // Everything acknowledged during the outage is in the database.
    auto hosts = db.list_hosts();
    ASSERT_TRUE(hosts) << hosts.err().message;
    ASSERT_EQ(hosts->size(), std::size_t{agent_count});
    for (const auto& h : *hosts) {
        EXPECT_EQ(h.seen_time, outage_time) << h.osquery_host_id;
        EXPECT_EQ(h.detail_updated_at, outage_time) << h.osquery_host_id;
        EXPECT_EQ(h.label_updated_at, outage_time) << h.osquery_host_id;
        EXPECT_EQ(h.primary_ip, "10.0.0.1") << h.osquery_host_id;
        EXPECT_EQ(*db.host_label_ids(h.id), (std::vector<std::int64_t>{6, 8})) << h.osquery_host_id;
    }
    EXPECT_TRUE(db.query_by_name("during_outage"));

    // And the server goes on as before: enrollment, config, status.
    agent_identity late_id;
    late_id.host_identifier = "late";
    simulated_agent late(srv.port(), srv.client_opts(), late_id);
    EXPECT_EQ(late.enroll(secret), 200);
    EXPECT_EQ(agents[0]->config().status, 200);
    EXPECT_EQ(admin->request("GET", "/api/v1/fleet/status/result_store", "", bearer).status, 200);
}
