/// Live queries end to end: campaigns created over HTTP, simulated agents
/// answering, results streamed to real WebSocket clients; on both stores.

#include "tests/support/agent.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <deque>
#include <gtest/gtest.h>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;
namespace bj = boost::json;

namespace {

class live_query_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override { start(60s); }
    void TearDown() override {
        agents_.clear();
        srv_.reset();
    }

    void start(std::chrono::milliseconds subscribe_timeout,
               const std::function<void(server_options&)>& tweak = {}) {
        agents_.clear();
        srv_.reset();
        db_ = std::make_unique<test_database>(GetParam());
        auto st = db_->open();
        ASSERT_NE(st, nullptr);
        server_options o;
        o.checkin.campaigns.subscribe_timeout = subscribe_timeout;
        o.checkin.campaigns.tick = 200ms;
        if (tweak)
            tweak(o);
        srv_ = std::make_unique<test_server>(std::move(st), o);
        token_ = srv_->setup();
        inspect_ = db_->open();
        const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
        for (const char* name : {"web-1", "web-2"})
            add_agent(name, secret);
    }
    void add_agent(const std::string& name, const std::string& secret) {
        agent_identity id;
        id.host_identifier = name;
        id.hostname = name;
        agents_.push_back(std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(), id));
        ASSERT_EQ(agents_.back()->enroll(secret), 200);
        agents_.back()->check_in();
    }

    http_reply run_by_names(const std::string& body, const std::string& token = "") {
        return http_once(srv_->port(), "POST", "/api/v1/fleet/queries/run_by_names", body,
                         {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    }
    std::int64_t start_campaign(const std::string& sql = "SELECT hostname FROM system_info") {
        auto r = run_by_names(
            R"({"query":")" + sql +
            R"(","query_id":null,"selected":{"hosts":["web-1","web-2"],"labels":[""]}})");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json().at("campaign").at("id").as_int64() : 0;
    }
    std::unique_ptr<ws_client> subscribe(std::int64_t id, const std::string& token = "") {
        auto ws = std::make_unique<ws_client>(srv_->port(), "/api/v1/fleet/results/websocket");
        ws->send_json({{"type", "auth"}, {"data", {{"token", token.empty() ? token_ : token}}}});
        ws->send_json({{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}});
        return ws;
    }
    /// The live query the agent is asked, answered; the query name.
    std::string answer_live(simulated_agent& a, std::int64_t id) {
        auto r = a.read();
        const std::string name = "fleet_distributed_query_" + std::to_string(id);
        auto body = r.json();
        const auto& q = body.at("queries").as_object();
        EXPECT_TRUE(q.contains(name)) << r.body;
        EXPECT_EQ(a.answer(q).status, 200);
        return name;
    }
    /// Reads messages until one of `type` arrives (others are collected).
    bj::object next_of(ws_client& ws, const std::string& type,
                       std::vector<bj::object>* seen = nullptr) {
        for (int i = 0; i < 50; ++i) {
            auto m = ws.read_json();
            if (!m) {
                ADD_FAILURE() << "stream ended waiting for " << type << " (close "
                              << ws.close_code() << ")";
                return {};
            }
            if (seen)
                seen->push_back(m->as_object());
            if (m->at("type") == type.c_str())
                return m->as_object();
        }
        ADD_FAILURE() << "no " << type;
        return {};
    }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<test_server> srv_;
    std::unique_ptr<storage::store> inspect_;
    std::vector<std::unique_ptr<simulated_agent>> agents_;
    std::string token_;
};

} // namespace

TEST_P(live_query_test, fleetctl_flow_streams_every_result_once_then_finished) {
    auto r = run_by_names(
        R"({"query":"SELECT 1","query_id":null,"selected":{"hosts":["web-1","web-2"],"labels":[""]}})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto c = r.json().at("campaign").as_object();
    EXPECT_EQ(c.at("Metrics"), bj::parse(R"({"TotalHosts":2,"OnlineHosts":2,"OfflineHosts":0,
        "MissingInActionHosts":0,"NewHosts":2})"));
    EXPECT_EQ(c.at("status"), 0);
    EXPECT_EQ(c.at("created_at"), "0001-01-01T00:00:00Z");
    const auto id = c.at("id").as_int64();
    auto q = inspect_->query_by_id(c.at("query_id").as_int64());
    ASSERT_TRUE(q);
    EXPECT_FALSE(q->saved);
    EXPECT_EQ(q->sql, "SELECT 1");

    auto ws = subscribe(id);
    EXPECT_EQ(
        ws->read_json(),
        bj::parse(
            R"({"type":"totals","data":{"count":2,"online":2,"offline":0,"missing_in_action":0}})"));
    EXPECT_EQ(
        ws->read_json(),
        bj::parse(
            R"({"type":"status","data":{"expected_results":2,"actual_results":0,"status":"pending"}})"));

    std::set<std::string> hosts;
    for (auto& a : agents_) {
        answer_live(*a, id);
        auto result = next_of(*ws, "result");
        const auto& data = result.at("data").as_object();
        EXPECT_EQ(data.at("distributed_query_execution_id"), id);
        EXPECT_TRUE(data.at("error").is_null());
        const std::string hostname(data.at("host").at("hostname").as_string());
        hosts.insert(hostname);
        EXPECT_EQ(data.at("rows"),
                  bj::parse(R"([{"1":"1","host_hostname":")" + hostname + R"("}])"));
        // Answered: the host is not asked again.
        EXPECT_EQ(a->read().json(), bj::parse(R"({"queries":{}})"));
    }
    EXPECT_EQ(hosts, (std::set<std::string>{"web-1", "web-2"}));
    EXPECT_EQ(next_of(*ws, "status").at("data"),
              bj::parse(R"({"expected_results":2,"actual_results":2,"status":"finished"})"));
    // A duplicate answer is not delivered again: a second subscriber sees exactly
    // the two results (replayed), and nothing more.
    const std::string name = "fleet_distributed_query_" + std::to_string(id);
    ASSERT_EQ(agents_[0]->answer(bj::object{{name, "SELECT 1"}}).status, 200);
    auto second = subscribe(id);
    EXPECT_EQ(next_of(*second, "status").at("data").at("actual_results"), 2);
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(next_of(*second, "result").at("type"), "result");
    EXPECT_FALSE(second->read(400ms));
    EXPECT_TRUE(second->timed_out());
    const auto with_second = srv_->running_actors();
    second.reset(); // leaves; the first subscriber keeps the campaign running
    eventually([&] { return srv_->running_actors() < with_second; }, 5s,
               "the second subscriber to end");
    EXPECT_EQ(inspect_->campaign_by_id(id)->status, campaign_status::running);
    ws->close(); // the last subscriber leaves: complete
    eventually([&] { return inspect_->campaign_by_id(id)->status == campaign_status::complete; },
               5s, "the campaign to complete");
}

TEST_P(live_query_test, results_before_the_first_subscriber_are_replayed_to_every_subscriber) {
    const auto id = start_campaign();
    for (auto& a : agents_)
        answer_live(*a, id);
    // Each answer's 200 comes after the registry has sent it on to the campaign,
    // so it is in the campaign's mailbox before any subscriber can be.
    std::vector<std::unique_ptr<ws_client>> subscribers;
    for (int n = 0; n < 2; ++n) { // two subscribers at once, each gets everything
        subscribers.push_back(subscribe(id));
        auto& ws = subscribers.back();
        std::vector<bj::object> seen;
        auto status = next_of(*ws, "status", &seen);
        EXPECT_EQ(status.at("data").at("actual_results"), 2);
        EXPECT_EQ(status.at("data").at("status"), "finished");
        int results = 0;
        for (int i = 0; i < 2; ++i)
            results += next_of(*ws, "result").at("type") == "result";
        EXPECT_EQ(results, 2);
    }
}

TEST_P(live_query_test, a_failed_query_is_a_result_with_its_error) {
    agents_[0]->failing_marker = "SELECT";
    const auto id = start_campaign("SELECT broken");
    auto ws = subscribe(id);
    answer_live(*agents_[0], id);
    auto result = next_of(*ws, "result");
    EXPECT_EQ(result.at("data").at("error"), "no such table: nothing");
    EXPECT_EQ(result.at("data").at("rows"), bj::array{});
}

TEST_P(live_query_test, the_subscribe_timeout_cancels_an_unwatched_campaign) {
    start(1s);
    const auto id = start_campaign();
    EXPECT_TRUE(agents_[0]->read().json().at("queries").as_object().contains(
        "fleet_distributed_query_" + std::to_string(id)));
    eventually([&] { return inspect_->campaign_by_id(id)->status == campaign_status::complete; },
               5s, "the unwatched campaign to be cancelled");
    EXPECT_EQ(agents_[0]->read().json(), bj::parse(R"({"queries":{}})"));
    auto ws = subscribe(id);
    EXPECT_EQ(ws->read_json(),
              bj::parse(R"({"type":"error","data":"campaign )" + std::to_string(id) +
                        R"( was cancelled: no subscriber within 1s"})"));
    EXPECT_FALSE(ws->read());
    EXPECT_EQ(ws->close_code(), 1000);
}

TEST_P(live_query_test, the_stream_judges_a_session_as_the_rest_api_does) {
    const auto id = start_campaign();
    auto me = [&] {
        return http_once(srv_->port(), "GET", "/api/v1/fleet/me", "",
                         {{"Authorization", "Bearer " + token_}})
            .status;
    };
    // 23 h idle: accepted on the stream, and that use counts as using the session.
    srv_->advance(std::chrono::hours(23));
    {
        auto ws = subscribe(id);
        EXPECT_EQ(next_of(*ws, "status").at("type"), "status");
    }
    srv_->advance(std::chrono::hours(23)); // 46 h after login, 23 h after the stream
    EXPECT_EQ(me(), 200);
    // Idle past 24 h: refused on the stream, and the session is gone for REST too.
    srv_->advance(std::chrono::hours(24) + std::chrono::seconds(1));
    ws_client ws(srv_->port(), "/api/v1/fleet/results/websocket");
    ws.send_json({{"type", "auth"}, {"data", {{"token", token_}}}});
    EXPECT_EQ(ws.read_json(), (bj::value{{"type", "error"}, {"data", "unauthorized"}}));
    EXPECT_FALSE(ws.read());
    srv_->advance(-std::chrono::hours(25)); // back inside the window: still gone
    EXPECT_EQ(me(), 401);
}

TEST_P(live_query_test, handshake_failures_answer_with_fleets_messages) {
    const auto id = start_campaign();
    auto expect_error = [&](std::vector<std::string> frames, const std::string& message) {
        ws_client ws(srv_->port(), "/api/v1/fleet/results/websocket");
        for (auto& f : frames)
            ws.send(f);
        if (message.empty()) {
            EXPECT_FALSE(ws.read()) << "expected a close without a message";
        } else {
            auto m = ws.read_json();
            ASSERT_TRUE(m) << message;
            EXPECT_EQ(*m, (bj::value{{"type", "error"}, {"data", message}}));
            EXPECT_FALSE(ws.read());
        }
        EXPECT_EQ(ws.close_code(), 1000) << message;
    };
    const std::string auth = R"({"type":"auth","data":{"token":")" + token_ + R"("}})";
    expect_error({R"({"type":"select_campaign","data":{"campaign_id":1}})"}, "");
    expect_error({"not json"}, "");
    expect_error({R"({"type":"auth","data":{"token":"bad"}})"}, "unauthorized");
    expect_error({auth, R"({"type":"auth"})"}, "expected select_campaign");
    expect_error({auth, "garbage"}, "error reading select_campaign");
    expect_error({auth, R"({"type":"select_campaign","data":{"campaign_id":"x"}})"},
                 "error unmarshaling select_campaign data");
    expect_error({auth, R"({"type":"select_campaign","data":{}})"}, "0 is not a valid campaign ID");
    expect_error({auth, R"({"type":"select_campaign","data":{"campaign_id":99999}})"},
                 "cannot find campaign for ID 99999");
    const auto other = make_user_with_token(*inspect_, "other@example.com", role::admin);
    expect_error(
        {R"({"type":"auth","data":{"token":")" + other + R"("}})",
         R"({"type":"select_campaign","data":{"campaign_id":)" + std::to_string(id) + "}}"},
        "forbidden");
    // The seed's walkthrough sends arrays: accepted.
    ws_client ws(srv_->port(), "/api/v1/fleet/results/websocket");
    ws.send("[" + auth + R"(,{"type":"select_campaign","data":{"campaign_id":)" +
            std::to_string(id) + "}}]");
    EXPECT_EQ(next_of(ws, "status").at("data").at("expected_results"), 2);
}

TEST_P(live_query_test, a_foreign_origin_is_refused) {
    try {
        ws_client ws(srv_->port(), "/api/v1/fleet/results/websocket", {},
                     {{"Origin", "https://evil.example"}});
        FAIL() << "accepted a foreign origin";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("HTTP 403"), std::string::npos) << e.what();
    }
    ws_client same(srv_->port(), "/api/v1/fleet/results/websocket", {},
                   {{"Origin", "http://127.0.0.1:" + std::to_string(srv_->port())}});
}

TEST_P(live_query_test, sockjs_websocket_transport_uses_sockjs_framing) {
    const auto id = start_campaign();
    ws_client ws(srv_->port(), "/api/v1/fleet/results/123/abcdef/websocket");
    EXPECT_EQ(ws.read(), "o");
    auto frame = [](const bj::value& v) {
        return bj::serialize(bj::array{bj::string(bj::serialize(v))});
    };
    ws.send(frame({{"type", "auth"}, {"data", {{"token", token_}}}}));
    ws.send(frame({{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}}));
    std::deque<bj::value> got; // one `a[...]` frame may carry several messages
    auto unwrap = [&]() -> bj::value {
        if (got.empty()) {
            auto t = ws.read();
            EXPECT_TRUE(t && t->starts_with("a[")) << (t ? *t : "closed");
            if (!t || !t->starts_with("a["))
                return nullptr;
            const bj::value frame = bj::parse(t->substr(1));
            for (const auto& m : frame.as_array())
                got.push_back(bj::parse(m.as_string()));
        }
        auto v = std::move(got.front());
        got.pop_front();
        return v;
    };
    EXPECT_EQ(unwrap().at("type"), "totals");
    EXPECT_EQ(unwrap().at("type"), "status");
    answer_live(*agents_[0], id);
    EXPECT_EQ(unwrap().at("type"), "result");
}

TEST_P(live_query_test, sockjs_xhr_polling_opens_relays_and_rejects_bad_input) {
    const std::string base = "/api/v1/fleet/results/000/sess1/";
    auto post = [&](const std::string& what, const std::string& body = "") {
        return http_once(srv_->port(), "POST", base + what, body);
    };
    EXPECT_EQ(post("xhr").body, "o\n");
    EXPECT_EQ(post("xhr_send", R"(["{\"type\":\"auth\",\"data\":{\"token\":\"bad\"}}"])").status,
              204);
    auto closing = post("xhr");
    EXPECT_EQ(closing.body,
              "a[\"{\\\"type\\\":\\\"error\\\",\\\"data\\\":\\\"unauthorized\\\"}\"]\n");
    EXPECT_EQ(post("xhr").body, "c[3000,\"Go away!\"]\n");
    auto unknown =
        http_once(srv_->port(), "POST", "/api/v1/fleet/results/000/nosuch/xhr_send", "[]");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(post("xhr").body, "o\n"); // a new session under the old id
    auto broken = post("xhr_send", "{not json");
    EXPECT_EQ(broken.status, 400);
    EXPECT_EQ(broken.json().at("errors").at(0).at("reason"), "Broken JSON encoding.");
    EXPECT_EQ(http_once(srv_->port(), "GET", "/api/v1/fleet/results/").body,
              "Welcome to SockJS!\n");
    auto info = http_once(srv_->port(), "GET", "/api/v1/fleet/results/info").json();
    EXPECT_EQ(info.at("websocket"), true);
    EXPECT_EQ(info.at("cookie_needed"), false);
    EXPECT_EQ(info.at("origins"), bj::parse(R"(["*:*"])"));
    EXPECT_TRUE(info.at("entropy").is_int64());
}

TEST_P(live_query_test, a_slow_subscriber_is_dropped_without_holding_up_the_others) {
    start(60s, [](server_options& o) { o.max_queued.max_batches = 4; });
    const auto secret = inspect_->global_enroll_secrets()->at(0).secret;
    constexpr int hosts = 32;
    bj::array names{"web-1", "web-2"};
    for (int i = 3; i <= hosts; ++i) {
        add_agent("web-" + std::to_string(i), secret);
        names.emplace_back("web-" + std::to_string(i));
    }
    auto r = run_by_names(
        bj::serialize(bj::object{{"query", "SELECT pad FROM big"},
                                 {"selected", {{"hosts", names}, {"labels", bj::array{}}}}}));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto id = r.json().at("campaign").at("id").as_int64();
    auto slow = subscribe(id); // never reads until the end
    auto fast = subscribe(id);
    EXPECT_EQ(next_of(*fast, "status").at("data").at("expected_results"), hosts);
    // Each host answers ~1 MB: far more than the slow client's socket buffers
    // and its queue of 4 frames hold.
    bj::array rows;
    for (int i = 0; i < 1000; ++i)
        rows.push_back(bj::object{{"pad", std::string(1000, 'x')}});
    const std::string name = "fleet_distributed_query_" + std::to_string(id);
    std::set<std::string> got;
    for (auto& a : agents_) {
        auto w = http_once(srv_->port(), "POST", "/api/v1/osquery/distributed/write",
                           bj::serialize(bj::object{{"node_key", a->node_key()},
                                                    {"queries", {{name, rows}}},
                                                    {"statuses", {{name, 0}}}}));
        ASSERT_EQ(w.status, 200) << w.body;
        auto result = next_of(*fast, "result");
        got.insert(std::string(result.at("data").at("host").at("hostname").as_string()));
        EXPECT_EQ(result.at("data").at("rows").as_array().size(), 1000u);
    }
    EXPECT_EQ(got.size(), static_cast<std::size_t>(hosts)); // every result, once each
    EXPECT_EQ(next_of(*fast, "status").at("data").at("status"), "finished");
    // A replay larger than the bound is one batch: a late subscriber gets it all.
    auto late = subscribe(id);
    std::set<std::string> replayed;
    for (int i = 0; i < hosts; ++i)
        replayed.insert(
            std::string(next_of(*late, "result").at("data").at("host").at("hostname").as_string()));
    EXPECT_EQ(replayed, got);
    // The slow one was cut off: its stream ends with 1008 short of the end.
    int slow_results = 0;
    for (;;) {
        auto m = slow->read_json(5s);
        if (!m)
            break;
        slow_results += m->at("type") == "result";
    }
    EXPECT_FALSE(slow->timed_out());
    EXPECT_EQ(slow->close_code(), 1008);
    EXPECT_LT(slow_results, hosts);
}

TEST_P(live_query_test, streams_keep_alive_with_pings_and_sockjs_heartbeats) {
    start(60s, [](server_options& o) {
        o.ping_interval = 300ms;
        o.sockjs_heartbeat = 300ms;
    });
    const auto id = start_campaign();
    auto raw = subscribe(id);
    EXPECT_EQ(next_of(*raw, "status").at("type"), "status");
    EXPECT_FALSE(raw->read(1500ms)); // nothing to say, but pinged meanwhile
    EXPECT_TRUE(raw->timed_out());
    EXPECT_GE(raw->pings(), 1);

    ws_client sockjs(srv_->port(), "/api/v1/fleet/results/1/hb/websocket");
    EXPECT_EQ(sockjs.read(), "o");
    EXPECT_EQ(sockjs.read(2s), "h");
    EXPECT_EQ(sockjs.read(2s), "h");

    const std::string base = "/api/v1/fleet/results/000/hbpoll/";
    EXPECT_EQ(http_once(srv_->port(), "POST", base + "xhr").body, "o\n");
    EXPECT_EQ(http_once(srv_->port(), "POST", base + "xhr").body, "h\n"); // held, then `h`

    // A streaming receiver whose client goes away frees the session for the next one.
    namespace net = boost::asio;
    net::io_context io;
    net::ip::tcp::socket sock(io);
    sock.connect({net::ip::make_address("127.0.0.1"), srv_->port()});
    const std::string req =
        "POST " + base + "xhr_streaming HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    net::write(sock, net::buffer(req));
    std::string got;
    char buf[4096];
    while (got.find(std::string(2048, 'h') + "\n") == std::string::npos)
        got.append(buf, sock.read_some(net::buffer(buf)));
    EXPECT_TRUE(got.starts_with("HTTP/1.1 200 OK\r\n")) << got.substr(0, 200);
    EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_EQ(http_once(srv_->port(), "POST", base + "xhr").body,
              "c[2010,\"Another connection still open\"]\n");
    sock.close(); // until the server sees it gone a poll is refused as busy
    eventually([&] { return http_once(srv_->port(), "POST", base + "xhr").body == "h\n"; }, 5s,
               "a poll to be held and answered with h");
}

TEST_P(live_query_test, sockjs_xhr_streaming_carries_frames_after_the_prelude) {
    const std::string base = "/api/v1/fleet/results/000/stream1/";
    auto post = [&](const std::string& what, const std::string& body = "") {
        return http_once(srv_->port(), "POST", base + what, body);
    };
    EXPECT_EQ(post("xhr").body, "o\n"); // opened by a poll; the stream resumes it
    EXPECT_EQ(post("xhr_send", R"(["{\"type\":\"auth\",\"data\":{\"token\":\"bad\"}}"])").status,
              204);
    // Whether the error and the close are queued yet or not, the stream carries
    // them as they come and ends with the close.
    auto streamed = post("xhr_streaming");
    EXPECT_EQ(streamed.status, 200);
    EXPECT_EQ(streamed.body,
              std::string(2048, 'h') + "\n" +
                  "a[\"{\\\"type\\\":\\\"error\\\",\\\"data\\\":\\\"unauthorized\\\"}\"]\n"
                  "c[3000,\"Go away!\"]\n");
}

TEST_P(live_query_test, an_xhr_stream_carries_frames_written_after_its_prelude) {
    const std::string base = "/api/v1/fleet/results/000/after-prelude/";
    EXPECT_EQ(http_once(srv_->port(), "POST", base + "xhr").body, "o\n");
    namespace net = boost::asio;
    net::io_context io;
    net::ip::tcp::socket sock(io);
    sock.connect({net::ip::make_address("127.0.0.1"), srv_->port()});
    net::write(sock, net::buffer("POST " + base +
                                 "xhr_streaming HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
    std::string got;
    char buf[4096];
    const std::string prelude = std::string(2048, 'h') + "\n";
    while (got.find(prelude) == std::string::npos)
        got.append(buf, sock.read_some(net::buffer(buf)));
    // Only now does the subscriber have something to say: its frames follow the
    // prelude on the open stream, then the close, then the last chunk.
    EXPECT_EQ(http_once(srv_->port(), "POST", base + "xhr_send",
                        R"(["{\"type\":\"auth\",\"data\":{\"token\":\"bad\"}}"])")
                  .status,
              204);
    boost::system::error_code ec;
    for (std::size_t n; (n = sock.read_some(net::buffer(buf), ec)) > 0 && !ec;)
        got.append(buf, n);
    EXPECT_EQ(ec, net::error::eof);
    EXPECT_NE(got.find("a[\"{\\\"type\\\":\\\"error\\\",\\\"data\\\":\\\"unauthorized\\\"}\"]\n"),
              std::string::npos)
        << got.substr(got.find(prelude) + prelude.size());
    EXPECT_NE(got.find("c[3000,\"Go away!\"]\n"), std::string::npos);
    EXPECT_TRUE(got.ends_with("0\r\n\r\n"))
        << got.substr(got.size() - std::min<std::size_t>(80, got.size()));
}

TEST_P(live_query_test, an_xhr_session_nobody_polls_is_dropped_past_its_queue_bound) {
    start(60s, [](server_options& o) { o.max_queued.max_batches = 2; });
    const auto id = start_campaign();
    const std::string base = "/api/v1/fleet/results/000/unpolled/";
    auto post = [&](const std::string& what, const std::string& body = "") {
        return http_once(srv_->port(), "POST", base + what, body);
    };
    auto frame = [](const bj::value& v) {
        return bj::serialize(bj::array{bj::string(bj::serialize(v))});
    };
    EXPECT_EQ(post("xhr").body, "o\n");
    EXPECT_EQ(post("xhr_send", frame({{"type", "auth"}, {"data", {{"token", token_}}}})).status,
              204);
    EXPECT_EQ(
        post("xhr_send", frame({{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}}))
            .status,
        204);
    // totals and status (one batch), then a result from each host: past the bound.
    eventually([&] { return inspect_->campaign_by_id(id)->status == campaign_status::running; }, 5s,
               "the subscriber to join the campaign");
    for (auto& a : agents_)
        answer_live(*a, id);
    eventually([&] { return post("xhr_send", "[]").status == 404; }, 5s,
               "the session to be dropped");
}

TEST_P(live_query_test, run_validates_and_scopes) {
    auto post_run = [&](const std::string& body, const std::string& token = "") {
        return http_once(srv_->port(), "POST", "/api/v1/fleet/queries/run", body,
                         {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    };
    auto none = post_run(R"({"selected":{"hosts":[1]}})");
    EXPECT_EQ(none.status, 422);
    EXPECT_EQ(
        none.json().at("errors").at(0),
        bj::parse(R"({"name":"query","reason":"one of query or query_id must be specified"})"));
    EXPECT_EQ(post_run(R"({"query":"SELECT 1","selected":{"hosts":[424242]}})").status, 422);
    EXPECT_EQ(post_run(R"({"query_id":424242,"selected":{"hosts":[1]}})").status, 404);
    EXPECT_EQ(post_run(R"({"query":"SELECT 1","selected":{"hosts":"x"}})").status, 400);
    auto unknown =
        run_by_names(R"({"query":"SELECT 1","selected":{"hosts":["ghost"],"labels":["Phantom"]}})");
    EXPECT_EQ(unknown.status, 422);
    EXPECT_EQ(unknown.json().at("errors").as_array().size(), 2u);
    const auto campaigns_before = inspect_->campaign_by_id(1);
    EXPECT_FALSE(campaigns_before); // nothing was written by the failures above

    // Targets by label and team ids.
    auto by_label = post_run(R"({"query":"SELECT 1","selected":{"labels":[8]}})"); // Ubuntu Linux
    ASSERT_EQ(by_label.status, 200) << by_label.body;
    EXPECT_EQ(by_label.json().at("campaign").at("Metrics").at("TotalHosts"), 2);

    // Observers: no ad-hoc SQL; a saved query only with observer_can_run.
    const auto observer = make_user_with_token(*inspect_, "obs@example.com", role::observer);
    EXPECT_EQ(post_run(R"({"query":"SELECT 1","selected":{"labels":[8]}})", observer).status, 403);
    ASSERT_TRUE(inspect_->apply_query_specs(
        {{"closed", "", "SELECT 1", false}, {"open", "", "SELECT 2", true}}, 1, srv_->now()));
    const auto closed = inspect_->query_by_name("closed")->id,
               open = inspect_->query_by_name("open")->id;
    EXPECT_EQ(
        post_run(R"({"query_id":)" + std::to_string(closed) + R"(,"selected":{"labels":[8]}})",
                 observer)
            .status,
        403);
    EXPECT_EQ(post_run(R"({"query_id":)" + std::to_string(open) + R"(,"selected":{"labels":[8]}})",
                       observer)
                  .status,
              200);
    // A team maintainer only reaches its team's hosts: these have no team.
    const auto blue = make_team(*inspect_, "blue");
    const auto tm =
        make_user_with_token(*inspect_, "tm@example.com", std::nullopt, {{blue, role::maintainer}});
    auto scoped = post_run(R"({"query":"SELECT 1","selected":{"labels":[8]}})", tm);
    EXPECT_EQ(scoped.status, 422);
    EXPECT_EQ(scoped.json().at("errors").at(0).at("reason"), "no hosts targeted");
}

TEST_P(live_query_test, totals_and_status_follow_hosts_going_offline) {
    const auto id = start_campaign();
    auto ws = subscribe(id);
    EXPECT_EQ(next_of(*ws, "status").at("data").at("status"), "pending");
    srv_->advance(120s); // both hosts are now offline; the next tick says so
    EXPECT_EQ(next_of(*ws, "totals").at("data"),
              bj::parse(R"({"count":2,"online":0,"offline":2,"missing_in_action":0})"));
    EXPECT_EQ(next_of(*ws, "status").at("data"),
              bj::parse(R"({"expected_results":0,"actual_results":0,"status":"finished"})"));
}

// Current fleetctl (fleet-rest.md §8.1): reports/run_by_identifiers on /api/latest,
// hosts by hostname, uuid or serial, then the raw stream at /api/latest.
TEST_P(live_query_test, current_fleetctl_starts_by_identifiers_and_streams_on_api_latest) {
    auto post = [&](const std::string& path, const std::string& body) {
        return http_once(srv_->port(), "POST", path, body, {{"Authorization", "Bearer " + token_}});
    };
    const std::string uuid = agent_identity{}.uuid; // both agents report it
    auto by_uuid = post("/api/latest/fleet/reports/run_by_identifiers",
                        R"({"query":"SELECT 1","query_id":null,"selected":{"hosts":[")" + uuid +
                            R"("],"labels":[]}})");
    ASSERT_EQ(by_uuid.status, 200) << by_uuid.body;
    EXPECT_EQ(by_uuid.json().at("campaign").at("Metrics").at("TotalHosts"), 2);
    auto unknown = post("/api/latest/fleet/reports/run_by_identifiers",
                        R"({"query":"SELECT 1","selected":{"hosts":["nobody"],"labels":[]}})");
    ASSERT_EQ(unknown.status, 422) << unknown.body;
    EXPECT_EQ(unknown.json().at("errors").at(0).at("reason"), "unknown host 'nobody'");
    // run_by_names matches hostnames only; the old queries/ alias answers too.
    EXPECT_EQ(post("/api/latest/fleet/queries/run_by_names",
                   R"({"query":"SELECT 1","selected":{"hosts":[")" + uuid + R"("],"labels":[]}})")
                  .status,
              422);
    auto r = post("/api/latest/fleet/queries/run_by_identifiers",
                  R"({"query":"SELECT 1","selected":{"hosts":["web-1"],"labels":[]}})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("campaign").at("Metrics").at("TotalHosts"), 1);
    const auto id = r.json().at("campaign").at("id").as_int64();

    ws_client ws(srv_->port(), "/api/latest/fleet/results/websocket");
    ws.send_json({{"type", "auth"}, {"data", {{"token", token_}}}});
    ws.send_json({{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}});
    answer_live(*agents_[0], id);
    std::vector<bj::object> seen;
    auto result = next_of(ws, "result", &seen);
    EXPECT_EQ(result.at("data").at("distributed_query_execution_id"), id);
    EXPECT_EQ(result.at("data").at("host").at("hostname"), "web-1");
    // "finished" came before the result when it was replayed, else follows it.
    bool finished = std::any_of(seen.begin(), seen.end(), [](const bj::object& m) {
        return m.at("type") == "status" && m.at("data").at("status") == "finished";
    });
    if (!finished)
        finished = next_of(ws, "status").at("data").at("status") == "finished";
    EXPECT_TRUE(finished);
}

INSTANTIATE_TEST_SUITE_P(backends, live_query_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});

// At the real default (60 s): labelled `slow`; the README's test command runs it.
TEST(slow_live_query, the_60_second_default_cancels_an_unwatched_campaign) {
    test_database db(backend::sqlite);
    test_server srv(db.open()); // default campaign settings
    const std::string token = srv.setup();
    auto st = db.open();
    agent_identity id;
    simulated_agent a(srv.port(), srv.client_opts(), id);
    ASSERT_EQ(a.enroll(st->global_enroll_secrets()->at(0).secret), 200);
    // The campaign's timer starts while the request is served: after `started`.
    const auto started = std::chrono::steady_clock::now();
    auto r = http_once(srv.port(), "POST", "/api/v1/fleet/queries/run",
                       R"({"query":"SELECT 1","selected":{"hosts":[1]}})",
                       {{"Authorization", "Bearer " + token}});
    ASSERT_EQ(r.status, 200) << r.body;
    const auto campaign_id = r.json().at("campaign").at("id").as_int64();
    // Still waiting at 50 s (a cancellation before then fails at once).
    EXPECT_FALSE(wait_until(
        [&] { return st->campaign_by_id(campaign_id)->status != campaign_status::waiting; }, 50s,
        100ms));
    EXPECT_EQ(st->campaign_by_id(campaign_id)->status, campaign_status::waiting);
    eventually([&] { return st->campaign_by_id(campaign_id)->status == campaign_status::complete; },
               20s, "the campaign to be cancelled at 60 s");
    EXPECT_GE(std::chrono::steady_clock::now() - started, 60s);
    EXPECT_EQ(a.read().json().at("queries").as_object().count("fleet_distributed_query_" +
                                                              std::to_string(campaign_id)),
              0u);
    ws_client ws(srv.port(), "/api/v1/fleet/results/websocket");
    ws.send(R"({"type":"auth","data":{"token":")" + token + R"("}})");
    ws.send(R"({"type":"select_campaign","data":{"campaign_id":)" + std::to_string(campaign_id) +
            "}}");
    EXPECT_EQ(ws.read_json(),
              bj::parse(R"({"type":"error","data":"campaign )" + std::to_string(campaign_id) +
                        R"( was cancelled: no subscriber within 60s"})"));
}
