#include "benchmarks/agent_sim/sim.hpp"
#include "model/query_name.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <queue>
#include <random>
#include <stdexcept>

namespace flotilla::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace bj = boost::json;
using tcp = net::ip::tcp;

// --- histogram ---------------------------------------------------------------------------

namespace {
constexpr double bucket_base = 1.02;
}

void histogram::add(std::chrono::nanoseconds d) {
    const double us = std::max(1.0, static_cast<double>(d.count()) / 1000.0);
    auto i = static_cast<std::size_t>(std::log(us) / std::log(bucket_base));
    ++counts_[std::min(i, buckets - 1)];
    ++count_;
    max_us_ = std::max(max_us_, us);
}

void histogram::merge(const histogram& o) {
    for (std::size_t i = 0; i < buckets; ++i)
        counts_[i] += o.counts_[i];
    count_ += o.count_;
    max_us_ = std::max(max_us_, o.max_us_);
}

double histogram::quantile_ms(double q) const {
    if (count_ == 0)
        return 0;
    const auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets; ++i) {
        seen += counts_[i];
        if (seen >= std::max<std::uint64_t>(want, 1)) // the bucket's upper edge
            return std::min(std::pow(bucket_base, static_cast<double>(i + 1)), max_us_) / 1000.0;
    }
    return max_ms();
}

// --- the simulation ----------------------------------------------------------------------

namespace {

struct job {
    std::size_t agent = 0;
    endpoint ep = endpoint::read;
    std::string body;
    clock::time_point due;
};

struct agent {
    std::string node_key;
    std::string hostname;
    std::string uuid;
    bool enrolled = false;
    bool busy_enrolling = false;
    bool ever_enrolled = false;
};

/// Plausible answers to Fleet's detail queries (the rest get no rows).
bj::array detail_rows(const std::string& name, const agent& a, std::size_t i) {
    if (name == "system_info")
        return {bj::object{{"hostname", a.hostname},
                           {"uuid", a.uuid},
                           {"cpu_brand", "Simulated CPU @ 2.40GHz"},
                           {"cpu_logical_cores", "8"},
                           {"cpu_physical_cores", "4"},
                           {"physical_memory", "17179869184"},
                           {"hardware_vendor", "Simulated"},
                           {"hardware_model", "Sim 1"},
                           {"hardware_serial", "SIM" + std::to_string(i)},
                           {"computer_name", a.hostname}}};
    if (name == "os_version")
        return {bj::object{{"name", "Ubuntu"},
                           {"platform", "ubuntu"},
                           {"major", "22"},
                           {"minor", "4"},
                           {"patch", "0"},
                           {"build", "22.04"},
                           {"version", "22.04.3 LTS (Jammy Jellyfish)"}}};
    if (name == "osquery_info")
        return {bj::object{{"version", "5.10.2"}, {"uuid", a.uuid}}};
    if (name == "osquery_flags")
        return {bj::object{{"name", "distributed_interval"}, {"value", "10"}},
                bj::object{{"name", "config_tls_refresh"}, {"value", "60"}},
                bj::object{{"name", "logger_tls_period"}, {"value", "10"}}};
    if (name == "network_interface")
        return {bj::object{
            {"address", fmt::format("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)},
            {"mac", fmt::format("02:00:00:{:02x}:{:02x}:{:02x}", (i >> 16) & 255, (i >> 8) & 255,
                                i & 255)}}};
    if (name == "uptime")
        return {bj::object{{"total_seconds", "86400"}}};
    return {};
}

/// The distributed/write body answering `queries` as host `i` would.
std::string answer(const bj::object& queries, const agent& a, std::size_t i,
                   std::uint64_t& live_answers,
                   const std::function<void(std::int64_t, const std::string&)>& on_live) {
    bj::object results, statuses;
    for (const auto& kv : queries) {
        const std::string name(kv.key());
        bj::array rows;
        const auto q = parse_query_name(name);
        const auto kind = q ? std::optional(q->kind) : std::nullopt;
        if (kind == query_kind::detail) {
            rows = detail_rows(std::string(q->detail), a, i);
        } else if (kind == query_kind::label || kind == query_kind::policy) {
            rows = {bj::object{{"1", "1"}}};
        } else if (kind == query_kind::live) {
            rows = {bj::object{{"hostname", a.hostname}, {"uuid", a.uuid}, {"answer", "42"}}};
            ++live_answers;
            if (on_live)
                on_live(q->id, a.hostname);
        }
        results[name] = std::move(rows);
        statuses[name] = 0;
    }
    return bj::serialize(bj::object{{"node_key", a.node_key},
                                    {"queries", std::move(results)},
                                    {"statuses", std::move(statuses)},
                                    {"messages", bj::object{}}});
}

std::string log_body(const agent& a) {
    bj::array data{
        bj::object{{"name", "pack/sim/processes"},
                   {"hostIdentifier", a.hostname},
                   {"calendarTime", "Sun Nov 22 12:00:00 2026 UTC"},
                   {"unixTime", 1795348800},
                   {"action", "added"},
                   {"columns", {{"pid", "1"}, {"name", "init"}, {"cmdline", "/sbin/init"}}}}};
    return bj::serialize(
        bj::object{{"node_key", a.node_key}, {"log_type", "result"}, {"data", std::move(data)}});
}

struct connection_base {
    virtual ~connection_base() = default;
    virtual void send(job j) = 0;
};

} // namespace

struct fleet_sim::impl : std::enable_shared_from_this<fleet_sim::impl> {
    impl(net::io_context& io, sim_options o) : io(io), opts(std::move(o)), tick(io) {}

    net::io_context& io;
    sim_options opts;
    std::string host, port, target_prefix;
    bool tls = false;
    std::optional<net::ssl::context> ssl;
    std::vector<agent> agents;
    std::vector<std::unique_ptr<connection_base>> conns;
    std::vector<connection_base*> idle;
    std::deque<job> ready; ///< due, waiting for a free connection
    /// Future work: (due, agent, endpoint), earliest first.
    using timed = std::tuple<clock::time_point, std::size_t, endpoint>;
    std::priority_queue<timed, std::vector<timed>, std::greater<>> timeline;
    net::steady_timer tick;
    sim_stats stats;
    bool stopped = false;
    std::size_t next_saturate = 0;
    bool saturating = false;
    std::mt19937_64 rng{42};
    std::function<void(std::int64_t, const std::string&)> on_live;
    std::uint64_t reconnects = 0; ///< reconnections made for --reconnect

    /// Whether the connection about to send should reconnect first: the fleet makes
    /// hosts / reconnect_s of them per second since the start (a backlog, after an
    /// idle spell, is capped at one per connection).
    bool reconnect_due() {
        if (opts.reconnect_s <= 0)
            return false;
        const double elapsed = std::chrono::duration<double>(clock::now() - stats.started).count();
        const auto due = static_cast<std::uint64_t>(elapsed * opts.hosts / opts.reconnect_s);
        if (due <= reconnects)
            return false;
        reconnects = std::max(reconnects, due - std::min<std::uint64_t>(due, conns.size())) + 1;
        return true;
    }

    void handshake_done(std::chrono::nanoseconds took, bool resumed) {
        (resumed ? stats.handshake_resumed : stats.handshake_full).add(took);
    }

    void parse_url() {
        auto u = boost::urls::parse_uri(opts.url);
        if (!u || (u->scheme() != "http" && u->scheme() != "https"))
            throw std::runtime_error("--url must be http://host:port or https://host:port");
        tls = u->scheme() == "https";
        host = std::string(u->host());
        port = u->has_port() ? std::string(u->port()) : (tls ? "443" : "80");
        if (tls) {
            ssl.emplace(net::ssl::context::tls_client);
            ssl->set_verify_mode(net::ssl::verify_none); // load tests use self-signed certs
        }
    }

    std::string path(endpoint ep) const {
        switch (ep) {
        case endpoint::enroll:
            return "/api/v1/osquery/enroll";
        case endpoint::config:
            return "/api/v1/osquery/config";
        case endpoint::read:
            return "/api/v1/osquery/distributed/read";
        case endpoint::write:
            return "/api/v1/osquery/distributed/write";
        case endpoint::log:
            return "/api/v1/osquery/log";
        }
        return "/";
    }

    void start();
    void schedule(clock::time_point at, std::size_t a, endpoint ep) { timeline.emplace(at, a, ep); }
    std::chrono::nanoseconds secs(double s) const {
        return std::chrono::nanoseconds(static_cast<std::int64_t>(s * 1e9));
    }
    /// A random offset in [0, s): spreads the fleet's check-ins like real hosts.
    std::chrono::nanoseconds jitter(double s) {
        return secs(std::uniform_real_distribution<double>(0, s)(rng));
    }

    job make_job(std::size_t a, endpoint ep, clock::time_point due) {
        job j{a, ep, {}, due};
        const auto& ag = agents[a];
        switch (ep) {
        case endpoint::enroll:
            j.body = bj::serialize(
                bj::object{{"enroll_secret", opts.enroll_secret},
                           {"host_identifier", ag.hostname},
                           {"platform_type", "9"},
                           {"host_details",
                            {{"os_version", {{"platform", "ubuntu"}, {"name", "Ubuntu"}}},
                             {"system_info", {{"hostname", ag.hostname}, {"uuid", ag.uuid}}},
                             {"osquery_info", {{"version", "5.10.2"}}}}}});
            break;
        case endpoint::log:
            j.body = log_body(ag);
            break;
        default:
            j.body = R"({"node_key":")" + ag.node_key + R"("})";
            break;
        }
        return j;
    }

    /// Moves due work to connections.
    void on_tick() {
        if (stopped)
            return;
        const auto now = clock::now();
        while (!timeline.empty() && std::get<0>(timeline.top()) <= now) {
            auto [due, a, ep] = timeline.top();
            timeline.pop();
            if (ep != endpoint::enroll && !agents[a].enrolled)
                continue; // re-enrolling: its schedule restarts after
            ready.push_back(make_job(a, ep, due));
        }
        pump();
        tick.expires_after(std::chrono::milliseconds(2));
        tick.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->on_tick();
        });
    }

    void pump() {
        while (!ready.empty() && !idle.empty()) {
            auto* c = idle.back();
            idle.pop_back();
            auto j = std::move(ready.front());
            ready.pop_front();
            const double lag =
                std::chrono::duration<double, std::milli>(clock::now() - j.due).count();
            stats.max_lag_ms = std::max(stats.max_lag_ms, lag);
            c->send(std::move(j));
        }
    }

    /// A connection finished a request (status 0: transport error).
    void done(connection_base* c, job j, unsigned status, const std::string& body,
              std::chrono::nanoseconds took) {
        auto& st = stats.total[static_cast<int>(j.ep)];
        auto& win = stats.window[static_cast<int>(j.ep)];
        const bool ok = status == 200;
        if (ok) {
            st.latency.add(took);
            win.latency.add(took);
        } else {
            ++st.errors;
            ++win.errors;
        }
        if (j.ep == endpoint::enroll) {
            if (ok)
                stats.enroll_all.add(took);
            else
                ++stats.enroll_errors_all;
        }
        if (!stopped)
            handle(std::move(j), status, body);
        idle.push_back(c);
        if (!stopped && opts.saturate && stats.enrolled == agents.size()) {
            if (!saturating) { // enrollment is over: measure the reads alone
                saturating = true;
                stats.total = {};
                stats.handshake_full.reset();
                stats.handshake_resumed.reset();
                stats.measured_from = clock::now();
            }
            if (ready.empty())
                saturate_next();
        }
        pump();
    }

    void saturate_next() {
        for (std::size_t n = 0; n < agents.size(); ++n) {
            const auto a = next_saturate++ % agents.size();
            if (agents[a].enrolled)
                return ready.push_back(make_job(a, endpoint::read, clock::now()));
        }
    }

    void handle(job j, unsigned status, const std::string& body) {
        auto& ag = agents[j.agent];
        const auto now = clock::now();
        boost::system::error_code ec;
        bj::value v = status == 0 ? bj::value() : bj::parse(body, ec);
        const bj::object* o = ec ? nullptr : v.if_object();
        if (o && o->contains("node_invalid") && o->at("node_invalid") == true &&
            j.ep != endpoint::enroll) {
            if (ag.enrolled) { // the server forgot it: enroll again, like osquery
                ag.enrolled = false;
                --stats.enrolled;
                schedule(now, j.agent, endpoint::enroll);
            }
            return;
        }
        switch (j.ep) {
        case endpoint::enroll:
            if (status == 200 && o && o->contains("node_key") && o->at("node_key").is_string()) {
                ag.node_key = std::string(o->at("node_key").get_string());
                ag.enrolled = true;
                ++stats.enrolled;
                if (!ag.ever_enrolled) {
                    ag.ever_enrolled = true;
                    ++stats.first_enrolls;
                    stats.last_first_enroll = now;
                }
                schedule(now, j.agent, endpoint::config);
                schedule(now, j.agent, endpoint::read);
                schedule(now + jitter(opts.log_interval_s), j.agent, endpoint::log);
            } else { // retry later, as osquery does
                schedule(now + secs(std::min(opts.query_interval_s, 5.0)), j.agent,
                         endpoint::enroll);
            }
            break;
        case endpoint::config:
            schedule(j.due + secs(opts.config_interval_s), j.agent, endpoint::config);
            break;
        case endpoint::read: {
            if (o && o->contains("queries") && o->at("queries").is_object() &&
                !o->at("queries").get_object().empty()) {
                job w{
                    j.agent, endpoint::write,
                    answer(o->at("queries").get_object(), ag, j.agent, stats.live_answers, on_live),
                    now};
                ready.push_front(std::move(w)); // osquery writes right after it ran them
            }
            if (!opts.saturate) {
                auto next = j.due + secs(opts.query_interval_s);
                schedule(std::max(next, now), j.agent, endpoint::read);
            }
            break;
        }
        case endpoint::write:
            break;
        case endpoint::log:
            schedule(j.due + secs(opts.log_interval_s), j.agent, endpoint::log);
            break;
        }
    }
};

namespace {

template <class Stream> constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

/// One keep-alive connection; reconnects after an error.
template <class Stream> class connection final : public connection_base {
public:
    explicit connection(fleet_sim::impl& sim) : sim_(sim) {}

    void send(job j) override {
        job_ = std::move(j);
        req_ = {};
        req_.method(bhttp::verb::post);
        req_.target(sim_.path(job_.ep));
        req_.version(11);
        req_.set(bhttp::field::host, sim_.host);
        req_.set(bhttp::field::content_type, "application/json");
        req_.keep_alive(true);
        req_.body() = job_.body;
        req_.prepare_payload();
        if (stream_ && sim_.reconnect_due())
            close_for_reconnect();
        if (!stream_)
            return connect();
        write();
    }

private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(*stream_); }

    struct session_free {
        void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
    };

    /// Closes a healthy connection to open a new one: over https, keeps its TLS session
    /// for the next handshake. The close is quiet (no close_notify is sent: marking the
    /// shutdown done keeps OpenSSL from discarding the session as broken; the server
    /// sees the TCP connection end between requests, which it treats as a normal close).
    void close_for_reconnect() {
        if constexpr (is_tls<Stream>) {
            SSL* ssl = stream_->native_handle();
            if (sim_.opts.resume) {
                std::unique_ptr<SSL_SESSION, session_free> s(SSL_get1_session(ssl));
                if (s && SSL_SESSION_is_resumable(s.get()) == 1)
                    session_ = std::move(s);
            }
            SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        }
        reset();
    }

    void connect() {
        if constexpr (is_tls<Stream>) {
            stream_.emplace(sim_.io, *sim_.ssl);
            if (session_ && sim_.opts.resume)
                SSL_set_session(stream_->native_handle(), session_.get());
        } else {
            stream_.emplace(sim_.io);
        }
        tcp::resolver r(sim_.io);
        beast::error_code ec;
        auto eps = r.resolve(sim_.host, sim_.port, ec);
        if (ec)
            return fail();
        connect_started_ = clock::now();
        lowest().expires_after(std::chrono::seconds(30));
        lowest().async_connect(eps, [this](beast::error_code e, const tcp::endpoint&) {
            if (e)
                return fail();
            lowest().socket().set_option(tcp::no_delay(true));
            if constexpr (is_tls<Stream>) {
                stream_->async_handshake(
                    net::ssl::stream_base::client, [this](beast::error_code he) {
                        if (he)
                            return fail();
                        sim_.handshake_done(clock::now() - connect_started_,
                                            SSL_session_reused(stream_->native_handle()) == 1);
                        write();
                    });
            } else {
                sim_.handshake_done(clock::now() - connect_started_, false);
                write();
            }
        });
    }

    void write() {
        sent_ = clock::now();
        lowest().expires_after(std::chrono::seconds(30));
        bhttp::async_write(*stream_, req_, [this](beast::error_code ec, std::size_t) {
            if (ec)
                return fail();
            res_ = {};
            bhttp::async_read(*stream_, buffer_, res_, [this](beast::error_code rec, std::size_t) {
                if (rec)
                    return fail();
                const auto took = clock::now() - sent_;
                const bool keep = res_.keep_alive();
                if (!keep)
                    reset();
                sim_.done(this, std::move(job_), res_.result_int(), res_.body(), took);
            });
        });
    }

    void reset() {
        if (stream_) {
            beast::error_code ec;
            lowest().socket().close(ec);
        }
        stream_.reset();
        buffer_.clear();
    }

    void fail() {
        ++sim_.stats.connection_errors;
        reset();
        sim_.done(this, std::move(job_), 0, {}, {});
    }

    fleet_sim::impl& sim_;
    std::optional<Stream> stream_;
    beast::flat_buffer buffer_;
    bhttp::request<bhttp::string_body> req_;
    bhttp::response<bhttp::string_body> res_;
    job job_;
    clock::time_point sent_;
    clock::time_point connect_started_;
    std::unique_ptr<SSL_SESSION, session_free> session_; ///< over https, to resume
};

} // namespace

void fleet_sim::impl::start() {
    parse_url();
    agents.resize(static_cast<std::size_t>(opts.hosts));
    for (std::size_t i = 0; i < agents.size(); ++i) {
        agents[i].hostname = opts.prefix + "-" + std::to_string(i);
        agents[i].uuid = fmt::format("{:08x}-0000-4000-8000-{:012x}",
                                     std::hash<std::string>{}(opts.prefix) & 0xffffffff, i);
    }
    for (int i = 0; i < opts.connections; ++i) {
        if (tls)
            conns.push_back(
                std::make_unique<connection<beast::ssl_stream<beast::tcp_stream>>>(*this));
        else
            conns.push_back(std::make_unique<connection<beast::tcp_stream>>(*this));
        idle.push_back(conns.back().get());
    }
    const auto t0 = clock::now();
    stats.measured_from = t0;
    stats.started = t0;
    for (std::size_t i = 0; i < agents.size(); ++i)
        schedule(
            t0 + secs(opts.ramp_s * static_cast<double>(i) / static_cast<double>(agents.size())), i,
            endpoint::enroll);
    on_tick();
}

fleet_sim::fleet_sim(net::io_context& io, sim_options o)
    : p_(std::make_shared<impl>(io, std::move(o))) {}

fleet_sim::~fleet_sim() {
    p_->stopped = true;
}

void fleet_sim::start() {
    p_->on_live = on_live_answer;
    p_->start();
}

void fleet_sim::stop() {
    p_->stopped = true;
    p_->tick.cancel();
}

const sim_stats& fleet_sim::stats() const {
    return p_->stats;
}

void fleet_sim::reset_window() {
    for (auto& w : p_->stats.window)
        w = {};
}

void fleet_sim::restart_totals() {
    p_->stats.total = {};
    p_->stats.handshake_full.reset();
    p_->stats.handshake_resumed.reset();
    p_->stats.measured_from = clock::now();
}

std::string progress_line(const sim_stats& s, double window_s) {
    std::uint64_t n = 0, errors = 0;
    for (const auto& w : s.window) {
        n += w.latency.count();
        errors += w.errors;
    }
    std::string line = fmt::format("enrolled {} | {:.0f} req/s | errors {}", s.enrolled,
                                   static_cast<double>(n) / window_s, errors);
    for (std::size_t i = 0; i < s.window.size(); ++i) {
        const auto& h = s.window[i].latency;
        if (h.count())
            line += fmt::format(" | {} {:.0f}/s p50 {:.2f} p99 {:.2f} ms", endpoint_names[i],
                                static_cast<double>(h.count()) / window_s, h.quantile_ms(0.5),
                                h.quantile_ms(0.99));
    }
    return line;
}

bj::object summary(const sim_stats& s, const sim_options& o, double seconds) {
    bj::object eps;
    std::uint64_t total = 0, errors = 0;
    for (std::size_t i = 0; i < s.total.size(); ++i) {
        const auto& e = s.total[i];
        total += e.latency.count();
        errors += e.errors;
        eps[endpoint_names[i]] = {
            {"count", e.latency.count()},
            {"errors", e.errors},
            {"per_s", static_cast<double>(e.latency.count()) / seconds},
            {"p50_ms", e.latency.quantile_ms(0.5)},
            {"p90_ms", e.latency.quantile_ms(0.9)},
            {"p99_ms", e.latency.quantile_ms(0.99)},
            {"max_ms", e.latency.max_ms()},
        };
    }
    histogram handshakes = s.handshake_full;
    handshakes.merge(s.handshake_resumed);
    const double enroll_s =
        s.first_enrolls ? std::chrono::duration<double>(s.last_first_enroll - s.started).count()
                        : 0.0;
    return {{"url", o.url},
            {"hosts", o.hosts},
            {"enrolled", s.enrolled},
            {"seconds", seconds},
            {"query_interval_s", o.query_interval_s},
            {"saturate", o.saturate},
            {"connections", o.connections},
            {"requests", total},
            {"requests_per_s", static_cast<double>(total) / seconds},
            {"errors", errors},
            {"connection_errors", s.connection_errors},
            {"live_answers", s.live_answers},
            {"max_schedule_lag_ms", s.max_lag_ms},
            // The enrollment phase (whole run, whatever --measure_after says).
            {"enroll_seconds", enroll_s},
            {"enrolls_per_s", enroll_s > 0 ? static_cast<double>(s.first_enrolls) / enroll_s : 0.0},
            {"enroll_p99_ms", s.enroll_all.quantile_ms(0.99)},
            {"enroll_errors", s.enroll_errors_all},
            // Connection set-ups over the measured window (--reconnect).
            {"reconnect_s", o.reconnect_s},
            {"handshakes", handshakes.count()},
            {"handshakes_per_s", static_cast<double>(handshakes.count()) / seconds},
            {"resumed_handshakes", s.handshake_resumed.count()},
            {"handshake_p99_ms", handshakes.quantile_ms(0.99)},
            {"full_handshake_p99_ms", s.handshake_full.quantile_ms(0.99)},
            {"resumed_handshake_p99_ms", s.handshake_resumed.quantile_ms(0.99)},
            {"endpoints", std::move(eps)}};
}

} // namespace flotilla::bench
