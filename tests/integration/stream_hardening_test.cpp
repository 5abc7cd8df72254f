/// The results stream against hostile clients (issue 11): every WebSocket
/// protocol error ends in a closed socket and a finished subscriber, counted
/// by the process's descriptors and the instance's live actors; a subscriber
/// past its queue's byte bound is closed with 1008 (SockJS: c[1008,...]) while
/// the others get everything; a campaign's replay buffer is bounded in bytes.

#include "tests/support/agent.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <gtest/gtest.h>
#include <poll.h>
#include <random>
#include <thread>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;
namespace bj = boost::json;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::size_t open_descriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

/// A WebSocket client that writes whatever frames it is told to (masked or not).
class raw_ws {
public:
    raw_ws(unsigned short port, const std::string& path) : sock_(io_) {
        sock_.open(tcp::v4());
        // A small receive buffer, so a client that does not read fills the
        // server's queue rather than the kernel's buffers.
        sock_.set_option(net::socket_base::receive_buffer_size(4096));
        sock_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        const std::string req = "GET " + path +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Key: "
                                "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        net::write(sock_, net::buffer(req));
        std::string head;
        net::read_until(sock_, net::dynamic_buffer(head), "\r\n\r\n");
        upgraded_ = head.starts_with("HTTP/1.1 101");
    }
    bool upgraded() const { return upgraded_; }

    /// One frame: byte 0 as given (FIN, RSV bits, opcode), the payload masked
    /// unless `masked` is false.
    void frame(std::uint8_t b0, const std::string& payload, bool masked = true) {
        std::string f(1, static_cast<char>(b0));
        const std::uint8_t mask_bit = masked ? 0x80 : 0;
        if (payload.size() < 126) {
            f += static_cast<char>(mask_bit | payload.size());
        } else {
            f += static_cast<char>(mask_bit | 126);
            f += static_cast<char>(payload.size() >> 8);
            f += static_cast<char>(payload.size() & 0xff);
        }
        const char key[4] = {0x12, 0x34, 0x56, 0x78};
        if (masked)
            f.append(key, 4);
        for (std::size_t i = 0; i < payload.size(); ++i)
            f += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
        boost::system::error_code ec;
        net::write(sock_, net::buffer(f), ec); // the server may have closed already
    }
    /// True when the server starts closing within `deadline`: it sends a close
    /// frame (the close handshake; Beast then waits for ours) or closes the socket.
    bool closed_by_server(std::chrono::milliseconds deadline) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        sock_.non_blocking(true);
        char buf[4096];
        while (std::chrono::steady_clock::now() < until) {
            boost::system::error_code ec;
            const auto n = sock_.read_some(net::buffer(buf), ec);
            if (ec == net::error::would_block) {
                ::pollfd p{sock_.native_handle(), POLLIN, 0};
                ::poll(&p, 1, 20);
                continue;
            }
            if (ec)
                return true; // EOF or reset: closed
            in_.append(buf, n);
            if (has_close_frame())
                return true;
        }
        return false;
    }
    void drop() {
        boost::system::error_code ec;
        sock_.close(ec);
    }

private:
    /// Whether the server's (unmasked) frames received so far include a close.
    bool has_close_frame() const {
        std::size_t pos = 0;
        while (pos + 2 <= in_.size()) {
            const auto op = static_cast<unsigned char>(in_[pos]) & 0x0f;
            std::size_t len = static_cast<unsigned char>(in_[pos + 1]) & 0x7f, head = 2;
            if (len == 126) {
                if (pos + 4 > in_.size())
                    return false;
                len = (static_cast<unsigned char>(in_[pos + 2]) << 8) |
                      static_cast<unsigned char>(in_[pos + 3]);
                head = 4;
            } else if (len == 127) {
                return false; // no server frame here is that large
            }
            if (op == 0x8)
                return true;
            pos += head + len;
        }
        return false;
    }

    net::io_context io_;
    tcp::socket sock_;
    std::string in_;
    bool upgraded_ = false;
};

std::string random_bytes(std::mt19937& rng, std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

class stream_hardening_test : public ::testing::Test {
protected:
    void SetUp() override { start({}); }
    void start(server_options o) {
        agents_.clear();
        srv_.reset();
        db_ = std::make_unique<test_database>(backend::sqlite);
        o.checkin.campaigns.tick = 200ms;
        srv_ = std::make_unique<test_server>(db_->open(), o);
        token_ = srv_->setup();
        auto inspect = db_->open();
        secret_ = inspect->global_enroll_secrets()->at(0).secret;
    }
    simulated_agent& add_agent(const std::string& name) {
        agent_identity id;
        id.host_identifier = name;
        id.hostname = name;
        agents_.push_back(std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(), id));
        EXPECT_EQ(agents_.back()->enroll(secret_), 200);
        agents_.back()->check_in();
        return *agents_.back();
    }
    std::int64_t start_campaign(const std::vector<std::string>& hosts) {
        bj::array names;
        for (const auto& h : hosts)
            names.emplace_back(h);
        bj::object body{{"query", "SELECT * FROM big"},
                        {"selected", {{"hosts", names}, {"labels", bj::array{}}}}};
        auto r = http_once(srv_->port(), "POST", "/api/v1/fleet/queries/run_by_names",
                           bj::serialize(body), {{"Authorization", "Bearer " + token_}});
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json().at("campaign").at("id").as_int64() : 0;
    }
    /// The agent answers campaign `id` with `rows` rows of `row_bytes` bytes.
    void answer_big(simulated_agent& a, std::int64_t id, int rows, std::size_t row_bytes) {
        bj::array data;
        for (int i = 0; i < rows; ++i)
            data.push_back(
                bj::object{{"i", std::to_string(i)}, {"pad", std::string(row_bytes, 'x')}});
        const std::string name = "fleet_distributed_query_" + std::to_string(id);
        bj::object body{
            {"node_key", a.node_key()}, {"queries", {{name, data}}}, {"statuses", {{name, 0}}}};
        auto r =
            http_once(srv_->port(), "POST", "/api/osquery/distributed/write", bj::serialize(body));
        EXPECT_EQ(r.status, 200) << r.body;
    }
    std::string auth_text() const {
        return bj::serialize(bj::object{{"type", "auth"}, {"data", {{"token", token_}}}});
    }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<test_server> srv_;
    std::vector<std::unique_ptr<simulated_agent>> agents_;
    std::string token_, secret_;
};

/// Frame sequences no conforming client sends.
struct hostile_case {
    const char* name;
    std::function<void(raw_ws&, std::mt19937&)> send;
};

std::vector<hostile_case> hostile_cases() {
    return {
        {"binary, random text, reserved opcode",
         [](raw_ws& w, std::mt19937& rng) {
             w.frame(0x82, random_bytes(rng, 40));
             w.frame(0x81, random_bytes(rng, 60));
             const std::uint8_t reserved[] = {3, 11, 15};
             w.frame(0x80 | reserved[rng() % 3], "x");
         }},
        {"unmasked client frame", [](raw_ws& w, std::mt19937&) { w.frame(0x81, "{}", false); }},
        {"reserved bits", [](raw_ws& w, std::mt19937&) { w.frame(0xC1, "{}"); }},
        {"fragmented ping", [](raw_ws& w, std::mt19937&) { w.frame(0x09, "p"); }},
        {"oversized ping", [](raw_ws& w, std::mt19937&) { w.frame(0x89, std::string(200, 'p')); }},
        {"invalid UTF-8", [](raw_ws& w, std::mt19937&) { w.frame(0x81, "\xff\xfe\xfd"); }},
        {"text after close",
         [](raw_ws& w, std::mt19937&) {
             w.frame(0x88, std::string("\x03\xe8", 2));
             w.frame(0x81, "{}");
         }},
        {"message over the limit",
         [](raw_ws& w, std::mt19937&) {
             // A continuation stream past max_ws_message_bytes.
             w.frame(0x01, std::string(40000, 'a'));
             w.frame(0x00, std::string(40000, 'a'));
             w.frame(0x80, std::string(40000, 'a'));
         }},
    };
}

} // namespace

TEST_F(stream_hardening_test, protocol_errors_close_the_socket_and_finish_the_subscriber) {
    std::mt19937 rng(11);
    const std::size_t actors = srv_->running_actors();
    // One warm-up connection, so lazily opened descriptors are counted in the baseline.
    {
        raw_ws w(srv_->port(), "/api/v1/fleet/results/websocket");
        w.frame(0x81, "not json");
        EXPECT_TRUE(w.closed_by_server(5s));
    }
    eventually([&] { return srv_->running_actors() <= actors; }, 5s,
               "the warm-up subscriber to finish");
    const std::size_t fds = open_descriptors();
    for (const char* path :
         {"/api/v1/fleet/results/websocket", "/api/v1/fleet/results/123/abcdefgh/websocket"}) {
        for (const auto& c : hostile_cases()) {
            for (int i = 0; i < 6; ++i) {
                SCOPED_TRACE(std::string(path) + ": " + c.name);
                raw_ws w(srv_->port(), path);
                ASSERT_TRUE(w.upgraded());
                if (i % 2)
                    w.frame(0x81, auth_text()); // authenticated first, half the time
                c.send(w, rng);
                if (i % 3 == 0) {
                    w.drop(); // and goes away at once
                } else {
                    EXPECT_TRUE(w.closed_by_server(5s)) << "the server kept the socket open";
                    w.drop();
                }
            }
        }
    }
    eventually([&] { return open_descriptors() <= fds; }, 10s,
               "every server-side socket to be closed (descriptors back to the baseline)");
    eventually([&] { return srv_->running_actors() <= actors; }, 10s,
               "every subscriber actor to finish");
    // Still serving, and it still shuts down.
    EXPECT_EQ(http_once(srv_->port(), "GET", "/api/v1/fleet/me", "",
                        {{"Authorization", "Bearer " + token_}})
                  .status,
              200);
    srv_->stop();
    EXPECT_TRUE(srv_->stopped());
}

TEST_F(stream_hardening_test, a_subscriber_past_its_byte_bound_is_closed_1008_others_get_all) {
    server_options o;
    o.max_queued.max_bytes = 3 * 1024 * 1024; // a few results' worth
    start(o);
    std::vector<std::string> names;
    for (int i = 0; i < 10; ++i) {
        names.push_back("big-" + std::to_string(i));
        add_agent(names.back());
    }
    const auto id = start_campaign(names);
    ws_client reader(srv_->port(), "/api/v1/fleet/results/websocket");
    reader.send(auth_text());
    reader.send_json({{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}});
    // The slow one: a raw socket that authenticates, selects and never reads.
    raw_ws slow(srv_->port(), "/api/v1/fleet/results/websocket");
    slow.frame(0x81, auth_text());
    slow.frame(0x81, bj::serialize(
                         bj::object{{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}}));
    ASSERT_TRUE(reader.read_json().has_value()); // the stream has begun
    // The good subscriber reads as the results come.
    int results = 0;
    std::thread reading([&] {
        while (auto m = reader.read_json(20s)) {
            if (m->at("type") == "result")
                ++results;
            if (m->at("type") == "status" && m->at("data").at("status") == "finished")
                break;
        }
    });
    for (auto& a : agents_) {
        auto r = a->read();
        ASSERT_EQ(r.status, 200);
        answer_big(*a, id, 1200, 1000); // ~1.2 MB each: past the kernel's buffers and the bound
    }
    reading.join();
    EXPECT_EQ(results, 10);
    EXPECT_NE(reader.close_code(), 1008);
    // The slow client's socket is closed by the server (1008, then the socket).
    EXPECT_TRUE(slow.closed_by_server(15s));
}

TEST_F(stream_hardening_test, a_sockjs_session_past_its_byte_bound_gets_c_1008) {
    server_options o;
    o.max_queued.max_bytes = 128 * 1024;
    start(o);
    auto& a = add_agent("s1");
    auto& b = add_agent("s2");
    const auto id = start_campaign({"s1", "s2"});
    const std::string base = "/api/v1/fleet/results/000/sessionbytes";
    ASSERT_EQ(http_once(srv_->port(), "POST", base + "/xhr").body, "o\n");
    bj::array msgs{auth_text(), bj::serialize(bj::object{{"type", "select_campaign"},
                                                         {"data", {{"campaign_id", id}}}})};
    ASSERT_EQ(http_once(srv_->port(), "POST", base + "/xhr_send", bj::serialize(msgs)).status, 204);
    ASSERT_TRUE(a.read().status == 200 && b.read().status == 200);
    answer_big(a, id, 200, 1000); // ~0.2 MB each, nobody polls
    answer_big(b, id, 200, 1000);
    // The next poll is told why the session ended.
    http_reply r;
    eventually(
        [&] {
            r = http_once(srv_->port(), "POST", base + "/xhr");
            return r.body.starts_with("c[");
        },
        10s, "the close frame");
    EXPECT_EQ(r.body, "c[1008,\"subscriber too slow: its queue is full\"]\n");
}

TEST_F(stream_hardening_test, a_late_subscriber_is_told_the_replay_was_truncated) {
    server_options o;
    o.checkin.campaigns.max_replay_bytes = 300 * 1024;
    start(o);
    std::vector<std::string> names;
    for (int i = 0; i < 4; ++i) {
        names.push_back("late-" + std::to_string(i));
        add_agent(names.back());
    }
    const auto id = start_campaign(names);
    // An early subscriber keeps the campaign alive and gets every result live.
    ws_client early(srv_->port(), "/api/v1/fleet/results/websocket");
    early.send(auth_text());
    early.send_json({{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}});
    ASSERT_TRUE(early.read_json().has_value());
    for (auto& a : agents_) {
        ASSERT_EQ(a->read().status, 200);
        answer_big(*a, id, 200, 1000); // ~0.2 MB each: two fit in the replay buffer
    }
    int early_results = 0;
    while (early_results < 4) {
        auto m = early.read_json(10s);
        ASSERT_TRUE(m.has_value());
        early_results += m->at("type") == "result";
    }
    ws_client late(srv_->port(), "/api/v1/fleet/results/websocket");
    late.send(auth_text());
    late.send_json({{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}});
    std::vector<std::string> types;
    std::string error_text;
    for (int i = 0; i < 8; ++i) {
        auto m = late.read_json(3s);
        if (!m)
            break;
        types.emplace_back(m->at("type").as_string());
        if (m->at("type") == "error")
            error_text = m->at("data").as_string();
    }
    // totals, status, the error, then the results still buffered (exact totals).
    ASSERT_GE(types.size(), 3u);
    EXPECT_EQ(types[0], "totals");
    EXPECT_EQ(types[1], "status");
    EXPECT_EQ(types[2], "error");
    EXPECT_TRUE(error_text.starts_with("replay truncated: the first ")) << error_text;
    const auto replayed = std::count(types.begin(), types.end(), "result");
    EXPECT_GE(replayed, 1);
    EXPECT_LE(replayed, 2);
    EXPECT_EQ(error_text, "replay truncated: the first " + std::to_string(4 - replayed) +
                              " results of this campaign are no longer buffered; later results "
                              "follow");
}
