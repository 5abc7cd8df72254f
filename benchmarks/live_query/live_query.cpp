/// live_query_bench: while a simulated fleet checks in (agent_sim's fleet_sim, in
/// this process), runs live query campaigns against every host and watches them
/// over the raw WebSocket: time to the first result, time until every online
/// targeted host answered (`finished`), results/s to one subscriber (the replay
/// of a finished campaign), and lost or duplicated results, which must be 0.
/// With --concurrent N it also holds N campaigns open (each on a host that never
/// answers, each with a subscriber) and compares the fleet's read p99 with and
/// without them. README.md beside this file.

#include "benchmarks/agent_sim/sim.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <condition_variable>
#include <fmt/format.h>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace bj = boost::json;
using tcp = net::ip::tcp;
using namespace flotilla::bench;
using namespace std::chrono_literals;

namespace {

struct endpoint_addr {
    std::string host, port;
};

struct http_result {
    unsigned status = 0;
    bj::value body;
};

/// One request on a fresh connection (the benchmark's own API calls).
http_result http_call(const endpoint_addr& at, bhttp::verb method, const std::string& target,
                      const std::string& body, const std::string& token = "") {
    net::io_context io;
    beast::tcp_stream s(io);
    tcp::resolver r(io);
    s.connect(r.resolve(at.host, at.port));
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, at.host);
    if (!token.empty())
        req.set(bhttp::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(s, req);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res);
    boost::system::error_code ec;
    auto v = bj::parse(res.body(), ec);
    return {res.result_int(), ec ? bj::value(res.body()) : std::move(v)};
}

/// What one subscriber saw (written on the io thread, read under `mu`).
struct watch {
    std::mutex mu;
    std::condition_variable cv;
    clock::time_point opened, first, last, finished_at;
    std::set<std::string> hosts;
    std::uint64_t results = 0, duplicates = 0;
    std::int64_t expected = -1;
    bool finished = false, closed = false;
    std::string error;
};

/// A raw WebSocket subscriber on the io thread: auth, select_campaign, then reads.
class subscriber : public std::enable_shared_from_this<subscriber> {
public:
    subscriber(net::io_context& io, std::shared_ptr<watch> w) : ws_(io), w_(std::move(w)) {}

    void start(const endpoint_addr& at, std::string token, std::int64_t campaign) {
        hello_ = {bj::serialize(bj::object{{"type", "auth"}, {"data", {{"token", token}}}}),
                  bj::serialize(bj::object{{"type", "select_campaign"},
                                           {"data", {{"campaign_id", campaign}}}})};
        host_ = at.host + ":" + at.port;
        tcp::resolver r(ws_.get_executor());
        auto eps = r.resolve(at.host, at.port);
        beast::get_lowest_layer(ws_).async_connect(
            eps, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                if (ec)
                    return self->fail("connect: " + ec.message());
                beast::get_lowest_layer(self->ws_).expires_never();
                self->ws_.async_handshake(self->host_, "/api/v1/fleet/results/websocket",
                                          [self](beast::error_code hec) {
                                              if (hec)
                                                  return self->fail("handshake: " + hec.message());
                                              self->send_hello(0);
                                          });
            });
    }

    void close() {
        net::post(ws_.get_executor(), [self = shared_from_this()] {
            self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
        });
    }

private:
    void send_hello(std::size_t i) {
        if (i == hello_.size())
            return read();
        ws_.async_write(net::buffer(hello_[i]),
                        [self = shared_from_this(), i](beast::error_code ec, std::size_t) {
                            if (ec)
                                return self->fail("write: " + ec.message());
                            if (i == 0) {
                                std::lock_guard l(self->w_->mu);
                                self->w_->opened = clock::now();
                            }
                            self->send_hello(i + 1);
                        });
    }

    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return self->fail("");
            self->on_message(beast::buffers_to_string(self->buf_.data()));
            self->buf_.consume(self->buf_.size());
            self->read();
        });
    }

    void on_message(const std::string& text) {
        const auto now = clock::now();
        auto v = bj::parse(text);
        const auto& o = v.as_object();
        const auto& type = o.at("type").as_string();
        std::lock_guard l(w_->mu);
        if (type == "result") {
            const std::string host(o.at("data").at("host").at("hostname").as_string());
            if (w_->results++ == 0)
                w_->first = now;
            w_->last = now;
            if (!w_->hosts.insert(host).second)
                ++w_->duplicates;
        } else if (type == "status") {
            w_->expected = o.at("data").at("expected_results").as_int64();
            if (o.at("data").at("status") == "finished" && !w_->finished) {
                w_->finished = true;
                w_->finished_at = now;
            }
        } else if (type == "error") {
            w_->error = std::string(o.at("data").as_string());
        }
        w_->cv.notify_all();
    }

    void fail(const std::string& why) {
        std::lock_guard l(w_->mu);
        w_->closed = true;
        if (!why.empty() && w_->error.empty())
            w_->error = why;
        w_->cv.notify_all();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    std::shared_ptr<watch> w_;
    std::vector<std::string> hello_;
    std::string host_;
};

/// Runs `fn` on the io thread and returns its result.
template <class F> auto on_io(net::io_context& io, F fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto fut = task.get_future();
    net::post(io, [&task] { task(); });
    return fut.get();
}

double ms(clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"live_query_bench: live query campaigns over a simulated fleet"};
    sim_options o;
    o.hosts = 1000;
    o.ramp_s = 10;
    std::string email = "admin@example.com", password;
    int campaigns = 3, concurrent = 0, ghosts = 10;
    double window = 20, settle = -1;
    app.add_option("--url", o.url, "server, http://host:port");
    app.add_option("--email", email, "an admin's email");
    app.add_option("--password", password, "its password")->required();
    app.add_option("--hosts", o.hosts, "simulated agents")->check(CLI::Range(1, 10'000'000));
    app.add_option("--ramp", o.ramp_s, "seconds over which the agents enroll");
    app.add_option("--query_interval", o.query_interval_s, "agents' distributed interval (s)");
    app.add_option("--connections", o.connections, "the agents' keep-alive connections");
    app.add_option("--campaigns", campaigns, "campaigns against every host, one after another");
    app.add_option("--concurrent", concurrent,
                   "campaigns held open at once while read latency is measured (0: skip)");
    app.add_option("--ghosts", ghosts, "hosts that enroll and then never check in again");
    app.add_option("--window", window, "seconds of each read-latency window");
    app.add_option("--settle", settle,
                   "seconds after enrollment before the first campaign "
                   "(default: one query interval + 2)");
    CLI11_PARSE(app, argc, argv);
    if (settle < 0)
        settle = o.query_interval_s + 2;

    auto u = boost::urls::parse_uri(o.url);
    if (!u || u->scheme() != "http") {
        std::cerr << "live_query_bench: --url must be http://host:port\n";
        return 2;
    }
    const endpoint_addr at{std::string(u->host()), u->has_port() ? std::string(u->port()) : "80"};

    auto login = http_call(at, bhttp::verb::post, "/api/v1/fleet/login",
                           bj::serialize(bj::object{{"email", email}, {"password", password}}));
    if (login.status != 200) {
        std::cerr << "live_query_bench: login failed: " << bj::serialize(login.body) << "\n";
        return 2;
    }
    const std::string token(login.body.at("token").as_string());
    auto secrets = http_call(at, bhttp::verb::get, "/api/v1/fleet/spec/enroll_secret", "", token);
    o.enroll_secret =
        std::string(secrets.body.at("spec").at("secrets").at(0).at("secret").as_string());

    net::io_context io;
    auto guard = net::make_work_guard(io);
    fleet_sim sim(io, o);
    std::mutex answered_mu;
    std::map<std::int64_t, std::set<std::string>> answered; ///< what the agents sent
    sim.on_live_answer = [&](std::int64_t id, const std::string& host) {
        std::lock_guard l(answered_mu);
        answered[id].insert(host);
    };
    sim_options go = o;
    go.hosts = ghosts;
    go.prefix = "ghost";
    go.ramp_s = 0;
    go.query_interval_s = go.config_interval_s = go.log_interval_s = 1e7; // then silent
    go.connections = 1;
    fleet_sim ghost_sim(io, go);
    sim.start(); // the ghosts enroll only for the --concurrent phase
    std::thread io_thread([&io] { io.run(); });

    const auto t_start = clock::now();
    while (on_io(io, [&] { return sim.stats().enrolled; }) < static_cast<std::uint64_t>(o.hosts)) {
        if (clock::now() - t_start > std::chrono::duration<double>(o.ramp_s + 120)) {
            std::cerr << "live_query_bench: the fleet did not enroll\n";
            return 1;
        }
        std::this_thread::sleep_for(500ms);
    }
    std::cerr << "enrolled " << o.hosts << " hosts; settling " << settle << " s\n";
    std::this_thread::sleep_for(std::chrono::duration<double>(settle));

    bj::array runs;
    std::uint64_t lost_total = 0, dup_total = 0;
    int unfinished = 0;
    const auto wait_for = std::chrono::duration<double>(2 * o.query_interval_s + 10);
    for (int c = 0; c < campaigns; ++c) {
        const auto t0 = clock::now();
        auto run = http_call(
            at, bhttp::verb::post, "/api/v1/fleet/queries/run",
            bj::serialize(bj::object{
                {"query", fmt::format("SELECT hostname FROM system_info /* bench {} */", c)},
                {"selected", {{"hosts", bj::array{}}, {"labels", {6}}, {"teams", bj::array{}}}}}),
            token);
        if (run.status != 200) {
            std::cerr << "live_query_bench: run failed: " << bj::serialize(run.body) << "\n";
            return 1;
        }
        const auto created = clock::now();
        const auto id = run.body.at("campaign").at("id").as_int64();
        const auto metrics = run.body.at("campaign").at("Metrics");
        auto live = std::make_shared<watch>();
        std::make_shared<subscriber>(io, live)->start(at, token, id);
        {
            std::unique_lock l(live->mu);
            live->cv.wait_for(l, wait_for, [&] { return live->finished || live->closed; });
        }
        // Results/s to one subscriber: a second one gets the whole campaign replayed.
        std::this_thread::sleep_for(200ms);
        auto replay = std::make_shared<watch>();
        std::make_shared<subscriber>(io, replay)->start(at, token, id);
        {
            std::unique_lock l(replay->mu);
            replay->cv.wait_for(l, 30s, [&] {
                return replay->closed || (replay->expected >= 0 &&
                                          replay->results >= live->results && replay->results > 0);
            });
        }
        std::set<std::string> sent;
        {
            std::lock_guard l(answered_mu);
            sent = answered[id];
        }
        std::lock_guard l1(live->mu), l2(replay->mu);
        std::uint64_t lost = 0;
        for (const auto& h : sent)
            lost += live->hosts.count(h) == 0;
        lost_total += lost;
        unfinished += !live->finished;
        dup_total += live->duplicates + replay->duplicates;
        const double replay_s =
            std::chrono::duration<double>(replay->last - replay->opened).count();
        bj::object r{
            {"campaign", id},
            {"create_ms", ms(created - t0)},
            {"online_hosts", metrics.at("OnlineHosts")},
            {"expected_results", live->expected},
            {"results", live->results},
            {"answered_by_agents", sent.size()},
            {"lost", lost},
            {"duplicates", live->duplicates + replay->duplicates},
            {"finished", live->finished},
            {"first_result_ms", live->results ? ms(live->first - t0) : -1.0},
            {"all_answered_ms", live->finished ? ms(live->finished_at - t0) : -1.0},
            {"replay_results", replay->results},
            {"replay_results_per_s", replay_s > 0 ? replay->results / replay_s : 0.0},
            {"error", live->error},
        };
        std::cerr << bj::serialize(r) << "\n";
        runs.push_back(std::move(r));
    }

    bj::object out{{"hosts", o.hosts},
                   {"query_interval_s", o.query_interval_s},
                   {"campaigns", std::move(runs)},
                   {"lost", lost_total},
                   {"unfinished", unfinished},
                   {"duplicates", dup_total}};
    if (concurrent > 0) {
        auto measure = [&] {
            on_io(io, [&] {
                sim.reset_window();
                return 0;
            });
            std::this_thread::sleep_for(std::chrono::duration<double>(window));
            return on_io(io, [&] {
                const auto& h = sim.stats().window[static_cast<int>(endpoint::read)];
                return bj::object{{"reads", h.latency.count()},
                                  {"errors", h.errors},
                                  {"p50_ms", h.latency.quantile_ms(0.5)},
                                  {"p99_ms", h.latency.quantile_ms(0.99)}};
            });
        };
        auto before = measure();
        on_io(io, [&] {
            ghost_sim.start();
            return 0;
        });
        while (on_io(io, [&] { return ghost_sim.stats().enrolled; }) <
               static_cast<std::uint64_t>(ghosts))
            std::this_thread::sleep_for(100ms);
        std::vector<std::shared_ptr<subscriber>> subs;
        int opened = 0;
        for (int c = 0; c < concurrent; ++c) {
            auto run = http_call(
                at, bhttp::verb::post, "/api/v1/fleet/queries/run_by_names",
                bj::serialize(bj::object{{"query", fmt::format("SELECT 1 /* held {} */", c)},
                                         {"selected",
                                          {{"hosts", {"ghost-" + std::to_string(c % ghosts)}},
                                           {"labels", bj::array{}}}}}),
                token);
            if (run.status != 200)
                continue;
            ++opened;
            subs.push_back(std::make_shared<subscriber>(io, std::make_shared<watch>()));
            subs.back()->start(at, token, run.body.at("campaign").at("id").as_int64());
        }
        std::this_thread::sleep_for(1s);
        auto during = measure();
        out["read_without_campaigns"] = before;
        out["read_with_campaigns"] = during;
        out["concurrent_campaigns"] = opened;
        for (auto& s : subs)
            s->close();
        std::this_thread::sleep_for(500ms);
    }
    on_io(io, [&] {
        sim.stop();
        ghost_sim.stop();
        return 0;
    });
    guard.reset();
    io.stop();
    io_thread.join();
    out["agents"] =
        summary(sim.stats(), o, std::chrono::duration<double>(clock::now() - t_start).count());
    std::cout << bj::serialize(out) << std::endl;
    return lost_total == 0 && dup_total == 0 && unfinished == 0 ? 0 : 1;
}
