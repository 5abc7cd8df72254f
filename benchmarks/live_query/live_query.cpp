/// live_query_bench: while a simulated fleet checks in (agent_sim's fleet_sim, in
/// this process), runs live query campaigns against every host and watches them
/// over the raw WebSocket: time to the first result, time until every online
/// targeted host answered (`finished`), results/s to one subscriber (the replay
/// of a finished campaign), and lost or duplicated results, which must be 0.
/// With --concurrent N it also holds N campaigns open (each on a host that never
/// answers, each with a subscriber) and compares the fleet's read p99 with and
/// without them. With --subscribers N the --campaigns are instead held open all at
/// once, each watched by N WebSocket subscribers that connect while the fleet is
/// paused, and each subscriber must get every result exactly once; with
/// --server_pid it also reports the server's CPU per delivered result and resident
/// memory per subscriber. README.md beside this file.

#include "benchmarks/agent_sim/sim.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <bit>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <condition_variable>
#include <fmt/format.h>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

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
    /// Over https: the client context (no verification: load tests use self-signed
    /// certificates); null for plain http.
    std::shared_ptr<net::ssl::context> tls;
};

/// A client context for https that accepts any certificate.
std::shared_ptr<net::ssl::context> any_cert_context() {
    auto c = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    c->set_verify_mode(net::ssl::verify_none);
    return c;
}

struct http_result {
    unsigned status = 0;
    bj::value body;
};

/// One request on a fresh connection (the benchmark's own API calls).
http_result http_call(const endpoint_addr& at, bhttp::verb method, const std::string& target,
                      const std::string& body, const std::string& token = "") {
    net::io_context io;
    tcp::resolver r(io);
    const auto eps = r.resolve(at.host, at.port);
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, at.host);
    if (!token.empty())
        req.set(bhttp::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    if (at.tls) {
        beast::ssl_stream<beast::tcp_stream> s(io, *at.tls);
        beast::get_lowest_layer(s).connect(eps);
        s.handshake(net::ssl::stream_base::client);
        bhttp::write(s, req);
        bhttp::read(s, buf, res);
    } else {
        beast::tcp_stream s(io);
        s.connect(eps);
        bhttp::write(s, req);
        bhttp::read(s, buf, res);
    }
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

/// A raw WebSocket subscriber on the io thread: auth, select_campaign, then reads;
/// over beast::tcp_stream (http) or beast::ssl_stream (https).
template <class Next>
class basic_subscriber : public std::enable_shared_from_this<basic_subscriber<Next>> {
    static constexpr bool tls = !std::is_same_v<Next, beast::tcp_stream>;

public:
    template <class... Tls>
    basic_subscriber(net::io_context& io, std::shared_ptr<watch> w, Tls&... ctx)
        : ws_(io, ctx...), w_(std::move(w)) {}

    void start(const endpoint_addr& at, std::string token, std::int64_t campaign) {
        hello_ = {bj::serialize(bj::object{{"type", "auth"}, {"data", {{"token", token}}}}),
                  bj::serialize(bj::object{{"type", "select_campaign"},
                                           {"data", {{"campaign_id", campaign}}}})};
        host_ = at.host + ":" + at.port;
        tcp::resolver r(ws_.get_executor());
        auto eps = r.resolve(at.host, at.port);
        beast::get_lowest_layer(ws_).async_connect(
            eps, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                if (ec)
                    return self->fail("connect: " + ec.message());
                beast::get_lowest_layer(self->ws_).expires_never();
                if constexpr (tls)
                    self->ws_.next_layer().async_handshake(
                        net::ssl::stream_base::client, [self](beast::error_code tec) {
                            if (tec)
                                return self->fail("TLS handshake: " + tec.message());
                            self->upgrade();
                        });
                else
                    self->upgrade();
            });
    }

    void close() {
        net::post(ws_.get_executor(), [self = this->shared_from_this()] {
            self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
        });
    }

private:
    void upgrade() {
        ws_.async_handshake(host_, "/api/v1/fleet/results/websocket",
                            [self = this->shared_from_this()](beast::error_code hec) {
                                if (hec)
                                    return self->fail("handshake: " + hec.message());
                                self->send_hello(0);
                            });
    }

    void send_hello(std::size_t i) {
        if (i == hello_.size())
            return read();
        ws_.async_write(net::buffer(hello_[i]),
                        [self = this->shared_from_this(), i](beast::error_code ec, std::size_t) {
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
        ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
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

    websocket::stream<Next> ws_;
    beast::flat_buffer buf_;
    std::shared_ptr<watch> w_;
    std::vector<std::string> hello_;
    std::string host_;
};

/// A subscriber to `campaign` on the io thread, over http or https as `at` says;
/// returns its close().
std::function<void()> subscribe(net::io_context& io, const endpoint_addr& at,
                                const std::string& token, std::int64_t campaign,
                                std::shared_ptr<watch> w) {
    if (at.tls) {
        auto s = std::make_shared<basic_subscriber<beast::ssl_stream<beast::tcp_stream>>>(
            io, std::move(w), *at.tls);
        s->start(at, token, campaign);
        return [s] { s->close(); };
    }
    auto s = std::make_shared<basic_subscriber<beast::tcp_stream>>(io, std::move(w));
    s->start(at, token, campaign);
    return [s] { s->close(); };
}

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

/// A process's CPU time (user + system) and resident memory, from /proc.
struct proc_sample {
    double cpu_s = 0;
    std::int64_t rss_kb = 0;
};

std::optional<proc_sample> read_proc(long pid) {
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string line;
    if (!std::getline(stat, line))
        return std::nullopt;
    const auto paren = line.rfind(')'); // the command may hold spaces and parentheses
    if (paren == std::string::npos)
        return std::nullopt;
    std::istringstream fields(line.substr(paren + 1));
    std::string f;
    unsigned long long ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) // utime is field 14, stime 15
        if (i >= 14)
            ticks += std::stoull(f);
    proc_sample out;
    out.cpu_s = static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
    std::ifstream status(fmt::format("/proc/{}/status", pid));
    while (std::getline(status, line))
        if (line.starts_with("VmRSS:"))
            out.rss_kb = std::stoll(line.substr(6));
    return out;
}

class fan_subscriber;

/// The subscribers of the fan-out phase (--subscribers) and what they share: the
/// messages they send, one JSON parser and the counters. Everything but the
/// atomics and what `mu` guards lives on the WebSocket thread.
struct fanout {
    fanout(net::io_context& io, tcp::endpoint server, std::string host, const std::string& token,
           std::vector<std::int64_t> campaigns, std::vector<std::int64_t> online,
           std::size_t per_campaign, std::string prefix, std::size_t hosts)
        : io(io), server(server), host(std::move(host)),
          auth(bj::serialize(bj::object{{"type", "auth"}, {"data", {{"token", token}}}})),
          campaigns(std::move(campaigns)), online(std::move(online)),
          total(this->campaigns.size() * per_campaign), prefix(std::move(prefix)), hosts(hosts) {
        for (auto id : this->campaigns)
            selects.push_back(bj::serialize(
                bj::object{{"type", "select_campaign"}, {"data", {{"campaign_id", id}}}}));
    }

    /// Starts subscribers until `max_connecting` are connecting or all have started.
    void launch();
    /// The index of an agent's hostname (`<prefix>-<n>`), if it is one.
    std::optional<std::size_t> host_index(std::string_view name) const {
        if (name.size() <= prefix.size() + 1 || !name.starts_with(prefix) ||
            name[prefix.size()] != '-')
            return std::nullopt;
        std::size_t n = 0;
        const char* end = name.data() + name.size();
        auto [p, ec] = std::from_chars(name.data() + prefix.size() + 1, end, n);
        if (ec != std::errc() || p != end || n >= hosts)
            return std::nullopt;
        return n;
    }
    /// Parses one message into the reused arena; null when it is not JSON.
    const bj::value* parse(std::string_view text) {
        parsed.reset(); // it lives in the arena
        arena.release();
        parser.reset(bj::storage_ptr(&arena));
        boost::system::error_code ec;
        parser.write(text.data(), text.size(), ec);
        if (ec)
            return nullptr;
        parsed.emplace(parser.release()); // keeps the arena as its storage
        return &*parsed;
    }

    void on_connected();
    void on_done();
    void on_failed(bool was_connecting, const std::string& why);
    void on_gone() { --open; }

    net::io_context& io;
    tcp::endpoint server;
    std::string host; ///< the Host header
    std::string auth; ///< the same `auth` message for everybody
    std::vector<std::int64_t> campaigns;
    /// Online targets when each campaign was created: every one answers (they are
    /// the simulated agents), so a subscriber is complete only with that many results.
    std::vector<std::int64_t> online;
    std::vector<std::string> selects; ///< `select_campaign`, per campaign
    std::size_t total;                ///< subscribers: subscriber i watches campaign i % K
    std::string prefix;
    std::size_t hosts;
    std::size_t max_connecting = 256; ///< handshakes under way at once
    std::size_t connecting = 0, next = 0, open = 0;
    std::vector<std::shared_ptr<fan_subscriber>> subs;
    clock::time_point launched;

    std::array<unsigned char, 16384> arena_buffer{};
    bj::monotonic_resource arena{arena_buffer.data(), arena_buffer.size()};
    std::array<unsigned char, 2048> parser_buffer{};
    bj::parser parser{bj::storage_ptr(), bj::parse_options(), parser_buffer.data(),
                      parser_buffer.size()};
    std::optional<bj::value> parsed;

    std::atomic<std::uint64_t> results{0}; ///< result messages, all subscribers
    std::mutex mu;
    std::condition_variable cv;
    std::size_t connected = 0, done = 0, failed = 0; ///< under mu
    clock::time_point last_done;                     ///< under mu
    std::vector<std::string> errors;                 ///< under mu, the first few
};

/// A lean raw WebSocket subscriber: auth, select_campaign, then one bit per host
/// it got a result from (a second result from a host is a duplicate).
class fan_subscriber : public std::enable_shared_from_this<fan_subscriber> {
public:
    fan_subscriber(fanout& f, std::size_t campaign)
        : ws_(f.io), f_(f), campaign_(campaign), seen_((f.hosts + 63) / 64) {}

    void start() {
        ++f_.open;
        beast::get_lowest_layer(ws_).async_connect(
            f_.server, [self = shared_from_this()](beast::error_code ec) {
                if (ec)
                    return self->fail("connect: " + ec.message());
                beast::get_lowest_layer(self->ws_).expires_never();
                self->ws_.set_option(
                    websocket::stream_base::timeout::suggested(beast::role_type::client));
                self->ws_.async_handshake(self->f_.host, "/api/v1/fleet/results/websocket",
                                          [self](beast::error_code hec) {
                                              if (hec)
                                                  return self->fail("handshake: " + hec.message());
                                              self->write(self->f_.auth, true);
                                          });
            });
    }

    void close() {
        if (closing_ || gone_)
            return;
        closing_ = true;
        ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](auto) {});
    }

    std::size_t campaign() const { return campaign_; }
    const std::vector<std::uint64_t>& seen() const { return seen_; }

    std::uint64_t results = 0, duplicates = 0, unexpected = 0;
    std::int64_t expected = -1;
    bool connected = false, finished = false, done = false, failed = false;

private:
    void write(const std::string& text, bool first) {
        ws_.async_write(net::buffer(text),
                        [self = shared_from_this(), first](beast::error_code ec, std::size_t) {
                            if (ec)
                                return self->fail("write: " + ec.message());
                            if (first)
                                return self->write(self->f_.selects[self->campaign_], false);
                            self->read();
                        });
    }

    void read() {
        ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return self->fail(self->closing_ ? "" : "closed: " + ec.message());
            const auto data = self->buf_.cdata();
            self->on_message({static_cast<const char*>(data.data()), data.size()});
            self->buf_.clear();
            self->read();
        });
    }

    void on_message(std::string_view text) {
        const bj::value* v = f_.parse(text);
        const bj::object* o = v ? v->if_object() : nullptr;
        const bj::value* type = o ? o->if_contains("type") : nullptr;
        const bj::object* data = nullptr;
        if (const bj::value* d = o ? o->if_contains("data") : nullptr)
            data = d->if_object();
        if (!type || !type->is_string())
            return fail("not a message: " + std::string(text.substr(0, 200)));
        if (!connected) { // the campaign's first message: subscribed
            connected = true;
            f_.on_connected();
        }
        const auto& t = type->get_string();
        if (t == "result") {
            ++results;
            f_.results.fetch_add(1, std::memory_order_relaxed);
            const bj::value* id =
                data ? data->if_contains("distributed_query_execution_id") : nullptr;
            const bj::value* host = data ? data->if_contains("host") : nullptr;
            const bj::value* name =
                host && host->is_object() ? host->get_object().if_contains("hostname") : nullptr;
            std::optional<std::size_t> i;
            if (id && id->is_int64() && id->get_int64() == f_.campaigns[campaign_] && name &&
                name->is_string())
                i = f_.host_index(name->get_string());
            if (!i) {
                ++unexpected;
            } else {
                auto& word = seen_[*i / 64];
                const std::uint64_t bit = std::uint64_t{1} << (*i % 64);
                if (word & bit)
                    ++duplicates;
                word |= bit;
            }
        } else if (t == "status" && data) {
            if (const bj::value* e = data->if_contains("expected_results"); e && e->is_int64())
                expected = e->get_int64();
            if (const bj::value* s = data->if_contains("status"); s && *s == "finished")
                finished = true;
        } else if (t == "error") {
            std::lock_guard l(f_.mu);
            if (f_.errors.size() < 5)
                f_.errors.push_back(std::string(text.substr(0, 300)));
        }
        // A live subscriber gets `finished` after the last result; a late one gets it
        // first, then the replay. `finished` means as many results as hosts online now,
        // which falls when a host misses its check-ins (an overloaded server): complete
        // once it also has a result from every host that was online at the start.
        const auto want = std::max(expected, f_.online[campaign_]);
        if (!done && finished && expected >= 0 && results >= static_cast<std::uint64_t>(want)) {
            done = true;
            f_.on_done();
        }
    }

    void fail(const std::string& why) {
        if (gone_)
            return;
        gone_ = true;
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
        if (!why.empty() && !closing_) {
            failed = true;
            f_.on_failed(!connected, why);
        }
        f_.on_gone();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    fanout& f_;
    std::size_t campaign_;
    std::vector<std::uint64_t> seen_; ///< one bit per agent
    bool closing_ = false, gone_ = false;
};

void fanout::launch() {
    if (next == 0)
        launched = clock::now();
    while (connecting < max_connecting && next < total) {
        ++connecting;
        subs.push_back(std::make_shared<fan_subscriber>(*this, next % campaigns.size()));
        ++next;
        subs.back()->start();
    }
}

void fanout::on_connected() {
    --connecting;
    {
        std::lock_guard l(mu);
        ++connected;
    }
    cv.notify_all();
    launch();
}

void fanout::on_done() {
    {
        std::lock_guard l(mu);
        ++done;
        last_done = clock::now();
    }
    cv.notify_all();
}

void fanout::on_failed(bool was_connecting, const std::string& why) {
    {
        std::lock_guard l(mu);
        ++failed;
        if (errors.size() < 5)
            errors.push_back(why);
    }
    cv.notify_all();
    if (was_connecting) {
        --connecting;
        launch();
    }
}

/// What the fan-out phase needs from main.
struct fanout_setup {
    endpoint_addr at;
    std::string token;
    net::io_context& sim_io; ///< the fleet's: paused while the subscribers connect
    fleet_sim& sim;
    net::io_context& ws_io; ///< the subscribers'
    /// The agents that answered a campaign, by index (from the fleet's callback).
    std::function<std::vector<std::size_t>(std::int64_t)> answered;
    std::size_t hosts;
    std::string prefix;
    double query_interval_s;
    int campaigns;
    std::size_t per_campaign;
    long server_pid;
};

/// Lost, duplicated and unexpected results over a set of subscribers.
struct tally {
    std::uint64_t results = 0, lost = 0, duplicates = 0, unexpected = 0, unfinished = 0, failed = 0;
    bool ok() const { return lost + duplicates + unexpected + unfinished + failed == 0; }
};

tally count(const fanout& f, const std::vector<std::vector<std::uint64_t>>& sent) {
    tally t;
    for (const auto& s : f.subs) {
        const auto& want = sent[s->campaign()];
        const auto& got = s->seen();
        for (std::size_t w = 0; w < want.size(); ++w) {
            t.lost += static_cast<std::uint64_t>(std::popcount(want[w] & ~got[w]));
            // a result from an agent that never answered this campaign
            t.unexpected += static_cast<std::uint64_t>(std::popcount(got[w] & ~want[w]));
        }
        t.results += s->results;
        t.duplicates += s->duplicates;
        t.unexpected += s->unexpected;
        t.unfinished += !s->done;
        t.failed += s->failed;
    }
    return t;
}

/// Holds --campaigns open at once, each with --subscribers WebSocket subscribers
/// connected while the fleet is paused (its io thread blocked), then lets the agents
/// answer and checks that every subscriber gets every result exactly once. Then one
/// late subscriber per campaign checks the replay. Returns the report and whether
/// nothing was lost, duplicated or unfinished.
std::pair<bj::object, bool> run_fanout(const fanout_setup& a) {
    bj::object out{{"campaigns", a.campaigns},
                   {"subscribers_per_campaign", a.per_campaign},
                   {"subscribers", static_cast<std::size_t>(a.campaigns) * a.per_campaign}};
    // Pause the fleet: no agent checks in until every subscriber is connected.
    std::promise<void> paused, resume;
    auto resumed = resume.get_future();
    net::post(a.sim_io, [&paused, &resumed] {
        paused.set_value();
        resumed.wait();
    });
    paused.get_future().wait();
    bool resumed_yet = false;
    auto unpause = [&] {
        if (!std::exchange(resumed_yet, true))
            resume.set_value();
    };

    std::vector<std::int64_t> ids, online;
    for (int c = 0; c < a.campaigns; ++c) {
        auto run = http_call(
            a.at, bhttp::verb::post, "/api/v1/fleet/queries/run",
            bj::serialize(bj::object{
                {"query", fmt::format("SELECT hostname FROM system_info /* fan {} */", c)},
                {"selected", {{"hosts", bj::array{}}, {"labels", {6}}, {"teams", bj::array{}}}}}),
            a.token);
        if (run.status != 200) {
            unpause();
            out["error"] = "run failed: " + bj::serialize(run.body);
            return {out, false};
        }
        ids.push_back(run.body.at("campaign").at("id").as_int64());
        online.push_back(run.body.at("campaign").at("Metrics").at("OnlineHosts").as_int64());
    }
    out["online_hosts"] = online.empty() ? 0 : online.front();

    tcp::resolver resolver(a.ws_io);
    const tcp::endpoint server = *resolver.resolve(a.at.host, a.at.port).begin();
    const std::string host_header = a.at.host + ":" + a.at.port;
    fanout f(a.ws_io, server, host_header, a.token, ids, online, a.per_campaign, a.prefix, a.hosts);
    const auto self_pid = static_cast<long>(getpid());
    auto sample = [&](long pid) { return pid > 0 ? read_proc(pid) : std::nullopt; };

    const auto srv0 = sample(a.server_pid);
    const auto t0 = clock::now();
    net::post(a.ws_io, [&f] { f.launch(); });
    {
        std::unique_lock l(f.mu);
        f.cv.wait_for(l, 120s, [&] { return f.connected + f.failed >= f.total; });
    }
    const auto t1 = clock::now();
    const auto srv1 = sample(a.server_pid);
    const auto me1 = sample(self_pid);
    const auto before = f.results.load();
    unpause();
    on_io(a.sim_io, [&] { // the fleet's read latency over the delivery
        a.sim.reset_window();
        return 0;
    });
    std::cerr << fmt::format("{} subscribers connected in {:.2f} s; the fleet resumes\n", f.total,
                             std::chrono::duration<double>(t1 - t0).count());

    // Delivery: until every subscriber has every result, or nothing arrived for 30 s
    // (after the agents' two intervals), or 10 minutes.
    const auto patience = std::chrono::duration<double>(2 * a.query_interval_s + 30);
    auto progress_at = t1;
    std::uint64_t progress = 0;
    for (;;) {
        std::unique_lock l(f.mu);
        const bool all = f.cv.wait_for(l, 5s, [&] { return f.done + f.failed >= f.total; });
        const auto now = clock::now();
        if (const auto r = f.results.load(); r != progress) {
            progress = r;
            progress_at = now;
        }
        if (all || now - progress_at > patience || now - t1 > 600s)
            break;
        std::cerr << fmt::format("  {} results delivered, {}/{} subscribers complete\n", progress,
                                 f.done, f.total);
    }
    const auto srv2 = sample(a.server_pid);
    const auto me2 = sample(self_pid);
    out["fleet_reads_during_delivery"] = on_io(a.sim_io, [&] {
        const auto& h = a.sim.stats().window[static_cast<int>(endpoint::read)];
        return bj::object{{"reads", h.latency.count()},
                          {"errors", h.errors},
                          {"p50_ms", h.latency.quantile_ms(0.5)},
                          {"p99_ms", h.latency.quantile_ms(0.99)},
                          {"max_ms", h.latency.max_ms()}};
    });
    const auto delivered = f.results.load() - before;
    clock::time_point t2;
    {
        std::lock_guard l(f.mu);
        t2 = f.done > 0 ? f.last_done : clock::now();
    }

    // A late subscriber per campaign: the replay must also hold every result once.
    fanout late(a.ws_io, server, host_header, a.token, ids, online, 1, a.prefix, a.hosts);
    net::post(a.ws_io, [&late] { late.launch(); });
    {
        std::unique_lock l(late.mu);
        late.cv.wait_for(l, 60s, [&] { return late.done + late.failed >= late.total; });
    }
    std::vector<std::vector<std::uint64_t>> sent;
    std::uint64_t answered = 0;
    for (auto id : ids) {
        sent.emplace_back((a.hosts + 63) / 64);
        for (auto i : a.answered(id))
            sent.back()[i / 64] |= std::uint64_t{1} << (i % 64);
        for (auto w : sent.back())
            answered += static_cast<std::uint64_t>(std::popcount(w));
    }
    auto [live, replay, late_s] = on_io(a.ws_io, [&] {
        const auto late_s = std::chrono::duration<double>(
                                (late.done ? late.last_done : clock::now()) - late.launched)
                                .count();
        return std::make_tuple(count(f, sent), count(late, sent), late_s);
    });
    on_io(a.ws_io, [&] {
        for (auto& s : f.subs)
            s->close();
        for (auto& s : late.subs)
            s->close();
        return 0;
    });
    for (int i = 0; i < 100 && on_io(a.ws_io, [&] { return f.open + late.open; }) > 0; ++i)
        std::this_thread::sleep_for(100ms);

    const double connect_s = std::chrono::duration<double>(t1 - t0).count();
    const double delivery_s = std::chrono::duration<double>(t2 - t1).count();
    out["connect_s"] = connect_s;
    out["connected"] = f.connected;
    out["results_before_connected"] = before;
    out["answered_by_agents"] = answered;
    out["expected_deliveries"] = answered * a.per_campaign;
    out["delivered"] = delivered;
    out["delivery_s"] = delivery_s;
    out["delivered_per_s"] = delivery_s > 0 ? static_cast<double>(delivered) / delivery_s : 0.0;
    out["lost"] = live.lost;
    out["duplicates"] = live.duplicates;
    out["unexpected"] = live.unexpected;
    out["unfinished_subscribers"] = live.unfinished;
    out["failed_subscribers"] = live.failed;
    out["late_replay"] = bj::object{
        {"subscribers", late.total},
        {"results", replay.results},
        {"lost", replay.lost},
        {"duplicates", replay.duplicates},
        {"unexpected", replay.unexpected},
        {"unfinished", replay.unfinished},
        {"failed", replay.failed},
        {"results_per_s", late_s > 0 ? static_cast<double>(replay.results) / late_s : 0.0}};
    {
        std::lock_guard l1(f.mu), l2(late.mu);
        bj::array errors;
        for (const auto& e : f.errors)
            errors.emplace_back(e);
        for (const auto& e : late.errors)
            errors.emplace_back(e);
        out["errors"] = std::move(errors);
    }
    const auto per_result = [&](double cpu) {
        return delivered ? cpu * 1e6 / static_cast<double>(delivered) : 0.0;
    };
    std::string server_line;
    if (srv0 && srv1 && srv2) {
        const double rss_per_sub = static_cast<double>(srv1->rss_kb - srv0->rss_kb) * 1024.0 /
                                   static_cast<double>(std::max<std::size_t>(f.total, 1));
        out["server"] =
            bj::object{{"pid", a.server_pid},
                       {"cpu_connect_s", srv1->cpu_s - srv0->cpu_s},
                       {"cpu_delivery_s", srv2->cpu_s - srv1->cpu_s},
                       {"cpu_us_per_delivered_result", per_result(srv2->cpu_s - srv1->cpu_s)},
                       {"rss_before_kb", srv0->rss_kb},
                       {"rss_connected_kb", srv1->rss_kb},
                       {"rss_end_kb", srv2->rss_kb},
                       {"rss_bytes_per_subscriber", rss_per_sub}};
        server_line = fmt::format(
            "; server: {:.2f} us CPU per delivered result ({:.2f} s over the delivery, {:.2f} s "
            "connecting), RSS {:.0f} bytes per subscriber ({:.1f} -> {:.1f} MiB, {:.1f} MiB at "
            "the end)",
            per_result(srv2->cpu_s - srv1->cpu_s), srv2->cpu_s - srv1->cpu_s,
            srv1->cpu_s - srv0->cpu_s, rss_per_sub, static_cast<double>(srv0->rss_kb) / 1024,
            static_cast<double>(srv1->rss_kb) / 1024, static_cast<double>(srv2->rss_kb) / 1024);
    } else if (a.server_pid > 0) {
        out["server"] = "cannot read /proc/" + std::to_string(a.server_pid);
    }
    if (me1 && me2)
        out["bench"] =
            bj::object{{"cpu_delivery_s", me2->cpu_s - me1->cpu_s},
                       {"cpu_us_per_delivered_result", per_result(me2->cpu_s - me1->cpu_s)},
                       {"rss_connected_kb", me1->rss_kb}};
    const bool ok = live.ok() && replay.ok() && f.connected == f.total &&
                    live.results == answered * a.per_campaign;
    const auto& reads = out["fleet_reads_during_delivery"].as_object();
    std::cerr << fmt::format(
                     "subscribers: {} campaigns x {} = {} subscribers over {} hosts: {} results "
                     "delivered in {:.2f} s ({:.0f}/s), lost {}, duplicated {}, unexpected {}, "
                     "unfinished {}, failed {}; late replay {} results, lost {}, duplicated {}; "
                     "connect {:.2f} s; agents' read p50 {:.1f} ms, p99 {:.1f} ms during the "
                     "delivery{}{}",
                     a.campaigns, a.per_campaign, f.total, a.hosts, delivered, delivery_s,
                     delivery_s > 0 ? static_cast<double>(delivered) / delivery_s : 0.0, live.lost,
                     live.duplicates, live.unexpected, live.unfinished, live.failed, replay.results,
                     replay.lost + replay.unexpected + replay.unfinished, replay.duplicates,
                     connect_s, reads.at("p50_ms").to_number<double>(),
                     reads.at("p99_ms").to_number<double>(), server_line, ok ? "" : "; FAILED")
              << std::endl;
    return {out, ok};
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"live_query_bench: live query campaigns over a simulated fleet"};
    sim_options o;
    o.hosts = 1000;
    o.ramp_s = 10;
    std::string email = "admin@example.com", password;
    int campaigns = 3, concurrent = 0, ghosts = 10;
    std::size_t subscribers = 1;
    long server_pid = 0;
    double window = 20, settle = -1;
    app.add_option("--url", o.url, "server, http://host:port or https://host:port");
    app.add_option("--email", email, "an admin's email");
    app.add_option("--password", password, "its password")->required();
    app.add_option("--hosts", o.hosts, "simulated agents")->check(CLI::Range(1, 10'000'000));
    app.add_option("--ramp", o.ramp_s, "seconds over which the agents enroll");
    app.add_option("--query_interval", o.query_interval_s, "agents' distributed interval (s)");
    app.add_option("--config_interval", o.config_interval_s, "agents' config refresh (s)");
    app.add_option("--log_interval", o.log_interval_s, "agents' result log interval (s)");
    app.add_option("--connections", o.connections, "the agents' keep-alive connections");
    app.add_option("--campaigns", campaigns, "campaigns against every host, one after another");
    app.add_option("--concurrent", concurrent,
                   "campaigns held open at once while read latency is measured (0: skip)");
    app.add_option("--ghosts", ghosts, "hosts that enroll and then never check in again");
    app.add_option("--window", window, "seconds of each read-latency window");
    app.add_option("--settle", settle,
                   "seconds after enrollment before the first campaign "
                   "(default: one query interval + 2)");
    auto* fan_opt = app.add_option("--subscribers", subscribers,
                                   "WebSocket subscribers per campaign; given, the --campaigns "
                                   "are held open at once instead of one after another")
                        ->check(CLI::Range(1, 100'000));
    app.add_option("--server_pid", server_pid,
                   "the server's PID (from /proc): per campaign, the cores it used until "
                   "every host answered; with --subscribers, its CPU per delivered result and "
                   "RSS per subscriber");
    CLI11_PARSE(app, argc, argv);
    const bool fan = fan_opt->count() > 0;
    if (settle < 0)
        settle = o.query_interval_s + 2;

    auto u = boost::urls::parse_uri(o.url);
    if (!u || (u->scheme() != "http" && u->scheme() != "https")) {
        std::cerr << "live_query_bench: --url must be http://host:port or https://host:port\n";
        return 2;
    }
    const bool https = u->scheme() == "https";
    if (https && fan) {
        std::cerr << "live_query_bench: --subscribers runs over http only\n";
        return 2;
    }
    const endpoint_addr at{std::string(u->host()),
                           u->has_port() ? std::string(u->port()) : (https ? "443" : "80"),
                           https ? any_cert_context() : nullptr};

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
    // The fan-out phase's subscribers have their own thread (the fleet's pauses).
    net::io_context ws_io;
    auto ws_guard = net::make_work_guard(ws_io);
    std::thread ws_thread([&ws_io] { ws_io.run(); });

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
    std::optional<bj::object> fan_report;
    bool fan_ok = true;
    if (fan) {
        fanout_setup a{at,
                       token,
                       io,
                       sim,
                       ws_io,
                       [&](std::int64_t id) {
                           std::vector<std::size_t> idx;
                           std::lock_guard l(answered_mu);
                           for (const auto& h : answered[id])
                               idx.push_back(std::stoul(h.substr(o.prefix.size() + 1)));
                           return idx;
                       },
                       static_cast<std::size_t>(o.hosts),
                       o.prefix,
                       o.query_interval_s,
                       campaigns,
                       subscribers,
                       server_pid};
        auto [report, ok] = run_fanout(a);
        fan_report = std::move(report);
        fan_ok = ok;
    }
    for (int c = 0; c < campaigns && !fan; ++c) {
        on_io(io, [&] {
            sim.reset_window();
            return 0;
        });
        const auto cpu0 = server_pid ? read_proc(server_pid) : std::nullopt;
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
        subscribe(io, at, token, id, live);
        {
            std::unique_lock l(live->mu);
            live->cv.wait_for(l, wait_for, [&] { return live->finished || live->closed; });
        }
        // The server's cores and the agents' reads while the campaign ran.
        const auto cpu1 = server_pid ? read_proc(server_pid) : std::nullopt;
        const double campaign_s = std::chrono::duration<double>(clock::now() - t0).count();
        const auto during = on_io(io, [&] {
            const auto& h = sim.stats().window[static_cast<int>(endpoint::read)];
            return bj::object{{"reads", h.latency.count()},
                              {"errors", h.errors},
                              {"p50_ms", h.latency.quantile_ms(0.5)},
                              {"p99_ms", h.latency.quantile_ms(0.99)}};
        });
        // Results/s to one subscriber: a second one gets the whole campaign replayed.
        std::this_thread::sleep_for(200ms);
        auto replay = std::make_shared<watch>();
        subscribe(io, at, token, id, replay);
        {
            std::unique_lock l(replay->mu);
            replay->cv.wait_for(l, 30s, [&] {
                return replay->closed || (replay->expected >= 0 &&
                                          replay->results >= live->results && replay->results > 0);
            });
        }
        // An answer counts from the moment the agent built it; the last ones may still
        // be on their way (a queued write, the server, the subscriber's queue) when
        // `finished` came, so a result is lost only if it has not arrived 15 s later.
        std::set<std::string> sent;
        std::uint64_t lost = 0;
        const auto settle_until = clock::now() + 15s;
        for (;;) {
            {
                std::lock_guard l(answered_mu);
                sent = answered[id];
            }
            {
                std::lock_guard l(live->mu);
                lost = 0;
                for (const auto& h : sent)
                    lost += live->hosts.count(h) == 0;
            }
            if (lost == 0 || clock::now() > settle_until)
                break;
            std::this_thread::sleep_for(100ms);
        }
        std::lock_guard l1(live->mu), l2(replay->mu);
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
            {"read_during_campaign", during},
            {"error", live->error},
        };
        if (cpu0 && cpu1)
            r["server_cores_during_campaign"] = (cpu1->cpu_s - cpu0->cpu_s) / campaign_s;
        std::cerr << bj::serialize(r) << "\n";
        runs.push_back(std::move(r));
    }

    bj::object out{{"hosts", o.hosts},
                   {"query_interval_s", o.query_interval_s},
                   {"campaigns", std::move(runs)},
                   {"lost", lost_total},
                   {"unfinished", unfinished},
                   {"duplicates", dup_total}};
    if (fan_report)
        out["fanout"] = std::move(*fan_report);
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
        std::vector<std::function<void()>> subs; // their close()
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
            subs.push_back(subscribe(io, at, token, run.body.at("campaign").at("id").as_int64(),
                                     std::make_shared<watch>()));
        }
        std::this_thread::sleep_for(1s);
        auto during = measure();
        out["read_without_campaigns"] = before;
        out["read_with_campaigns"] = during;
        out["concurrent_campaigns"] = opened;
        for (auto& close : subs)
            close();
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
    ws_guard.reset();
    ws_io.stop();
    ws_thread.join();
    out["agents"] =
        summary(sim.stats(), o, std::chrono::duration<double>(clock::now() - t_start).count());
    std::cout << bj::serialize(out) << std::endl;
    return lost_total == 0 && dup_total == 0 && unfinished == 0 && fan_ok ? 0 : 1;
}
