/// The real binary under a hostile or heavy workload (issue 11): SIGTERM ends
/// it with 0 promptly whatever is open, a second signal at once, and the
/// memory a live query's large results take is bounded and given back.

#include "tests/support/agent.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;
namespace bj = boost::json;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// `flotilla serve` on a fresh SQLite file, set up, with the admin's token.
class served_binary {
public:
    served_binary()
        : dir_(std::filesystem::temp_directory_path() /
               ("flotilla_proc_" + std::to_string(getpid()) + "_" + std::to_string(next_++))),
          proc_((std::filesystem::create_directories(dir_), make_argv(dir_))) {
        if (!proc_.wait_for_output("then log in", 20s))
            return;
        port_ = served_port(proc_.output());
        auto r = http_once(port_, "POST", "/api/v1/setup",
                           R"({"server_url":"https://fleet.example.com","admin":{"name":"A",
                               "email":"a@example.com","password":"pw"}})");
        if (r.status == 200)
            token_ = std::string(r.json().at("token").as_string());
    }
    ~served_binary() {
        proc_.signal(SIGKILL);
        proc_.wait_exit(5s);
        std::filesystem::remove_all(dir_);
    }
    unsigned short port() const { return port_; }
    const std::string& token() const { return token_; }
    child_process& proc() { return proc_; }
    header_list auth() const { return {{"Authorization", "Bearer " + token_}}; }
    /// The global enroll secret.
    std::string secret() const {
        auto r = http_once(port_, "GET", "/api/v1/fleet/spec/enroll_secret", "", auth());
        return std::string(r.json().at("spec").at("secrets").at(0).at("secret").as_string());
    }

private:
    static std::vector<std::string> make_argv(const std::filesystem::path& dir) {
        return {flotilla_binary(), "serve",         "--server_address",
                "127.0.0.1:0",     "--sqlite_path", (dir / "f.db").string()};
    }
    static inline int next_ = 0;
    std::filesystem::path dir_;
    child_process proc_;
    unsigned short port_ = 0;
    std::string token_;
};

/// A raw WebSocket that authenticates, selects a campaign and never reads.
class stalled_subscriber {
public:
    stalled_subscriber(unsigned short port, const std::string& token, std::int64_t campaign)
        : sock_(io_) {
        // A small receive buffer, so the server's queue fills rather than the kernel's.
        sock_.open(tcp::v4());
        sock_.set_option(net::socket_base::receive_buffer_size(4096));
        sock_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        net::write(sock_, net::buffer(std::string(
                              "GET /api/v1/fleet/results/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                              "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")));
        std::string head;
        net::read_until(sock_, net::dynamic_buffer(head), "\r\n\r\n");
        text(bj::serialize(bj::object{{"type", "auth"}, {"data", {{"token", token}}}}));
        text(bj::serialize(
            bj::object{{"type", "select_campaign"}, {"data", {{"campaign_id", campaign}}}}));
    }

private:
    void text(const std::string& payload) { // payloads here are under 126 bytes
        std::string f = {
            static_cast<char>(0x81), static_cast<char>(0x80 | payload.size()), 0, 0, 0, 0};
        f += payload; // a zero mask leaves the payload as it is
        net::write(sock_, net::buffer(f));
    }
    net::io_context io_;
    tcp::socket sock_;
};

std::vector<std::unique_ptr<simulated_agent>> enroll_agents(served_binary& s, int n) {
    std::vector<std::unique_ptr<simulated_agent>> agents;
    const auto secret = s.secret();
    for (int i = 0; i < n; ++i) {
        agent_identity id;
        id.host_identifier = id.hostname = "host-" + std::to_string(i);
        agents.push_back(std::make_unique<simulated_agent>(s.port(), client_options{}, id));
        EXPECT_EQ(agents.back()->enroll(secret), 200);
    }
    return agents;
}

std::int64_t start_campaign(served_binary& s, int hosts) {
    bj::array names;
    for (int i = 0; i < hosts; ++i)
        names.emplace_back("host-" + std::to_string(i));
    auto r = http_once(
        s.port(), "POST", "/api/v1/fleet/queries/run_by_names",
        bj::serialize(bj::object{{"query", "SELECT * FROM big"}, {"selected", {{"hosts", names}}}}),
        s.auth());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json().at("campaign").at("id").as_int64() : 0;
}

} // namespace

TEST(process_hardening, sigterm_after_a_mixed_workload_exits_0_promptly) {
    served_binary s;
    ASSERT_NE(s.port(), 0) << s.proc().output();
    auto agents = enroll_agents(s, 3);
    const auto id = start_campaign(s, 3);
    stalled_subscriber raw(s.port(), s.token(), id);
    // A SockJS session with a held poll, and an xhr_streaming receiver.
    const std::string sockjs = "/api/v1/fleet/results/000/held";
    ASSERT_EQ(http_once(s.port(), "POST", sockjs + "/xhr").body, "o\n");
    http_client held(s.port());
    held.send_raw("POST " + sockjs + "/xhr HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    http_client streaming(s.port());
    streaming.send_raw("POST /api/v1/fleet/results/000/streamed/xhr_streaming HTTP/1.1\r\n"
                       "Host: x\r\nContent-Length: 0\r\n\r\n");
    ASSERT_EQ(agents[0]->read().status, 200);

    const auto t0 = std::chrono::steady_clock::now();
    s.proc().signal(SIGTERM);
    auto code = s.proc().wait_exit(15s);
    ASSERT_TRUE(code) << "did not exit in 15 s:\n" << s.proc().output();
    EXPECT_EQ(*code, 0) << s.proc().output();
    EXPECT_EQ(s.proc().output().find("shutdown did not finish"), std::string::npos)
        << "the watchdog had to end it:\n"
        << s.proc().output();
    // Nothing open holds it: subscribers, polls and streams are closed at once.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

TEST(process_hardening, a_second_signal_exits_at_once) {
    served_binary s;
    ASSERT_NE(s.port(), 0) << s.proc().output();
    // A request in flight keeps a graceful shutdown waiting (up to its 30 s grace).
    // One answered request first: the connection is accepted before the signal.
    http_client partial(s.port());
    ASSERT_EQ(partial.authed("GET", "/api/v1/fleet/me", s.token()).status, 200);
    partial.send_raw(
        "POST /api/v1/fleet/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
    s.proc().signal(SIGTERM);
    ASSERT_TRUE(s.proc().wait_for_output("a second signal exits at once", 5s)) << s.proc().output();
    EXPECT_FALSE(s.proc().wait_exit(300ms)); // still waiting for the request
    s.proc().signal(SIGTERM);
    auto code = s.proc().wait_exit(3s);
    ASSERT_TRUE(code) << s.proc().output();
    EXPECT_EQ(*code, 128 + SIGTERM);
}

TEST(process_hardening, large_live_query_results_are_bounded_and_given_back) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's allocator keeps freed memory in quarantine: RSS says nothing here";
#endif
    served_binary s;
    ASSERT_NE(s.port(), 0) << s.proc().output();
    constexpr int hosts = 100;
    auto agents = enroll_agents(s, hosts);
    const auto id = start_campaign(s, hosts);
    stalled_subscriber stalled(s.port(), s.token(), id);
    const std::size_t start = resident_bytes(s.proc().pid());
    ASSERT_GT(start, 0u);

    // ~5 MB of rows per host.
    bj::array rows;
    for (int i = 0; i < 5000; ++i)
        rows.push_back(bj::object{{"n", std::to_string(i)}, {"pad", std::string(1000, 'r')}});
    const std::string name = "fleet_distributed_query_" + std::to_string(id);
    const std::string tail = R"(,"queries":{")" + name + R"(":)" + bj::serialize(rows) +
                             R"(},"statuses":{")" + name + R"(":0}})";
    std::size_t peak = start;
    for (auto& a : agents) {
        ASSERT_EQ(a->read().status, 200);
        auto r = http_once(s.port(), "POST", "/api/osquery/distributed/write",
                           R"({"node_key":")" + a->node_key() + "\"" + tail);
        ASSERT_EQ(r.status, 200) << r.body;
        peak = std::max(peak, resident_bytes(s.proc().pid()));
    }
    const std::size_t mb = 1024 * 1024;
    std::cout << "RSS: start " << start / mb << " MB, peak " << peak / mb << " MB" << std::endl;
    // Bounded: the replay buffer (64 MB), the stalled subscriber's queue (32 MB)
    // and the requests in flight, not 100 x 5 MB.
    EXPECT_LT(peak, start + 400 * mb);
    // The stalled subscriber is cut off, the campaign ends and its memory goes back.
    std::size_t now = 0;
    eventually(
        [&] {
            now = resident_bytes(s.proc().pid());
            return now < start + 96 * mb;
        },
        20s, "RSS to return near its start");
    std::cout << "RSS after the campaign: " << now / mb << " MB" << std::endl;
    EXPECT_EQ(http_once(s.port(), "GET", "/api/v1/fleet/me", "", s.auth()).status, 200);
}
