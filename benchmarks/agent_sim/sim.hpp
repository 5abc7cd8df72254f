#pragma once
/// The simulated fleet shared by agent_sim and the live_query benchmark: N osquery
/// agents over a pool of keep-alive HTTP(S) connections, driven by one Asio
/// io_context. Each agent enrolls (ramped), fetches its config every
/// config_interval, polls distributed/read every query_interval, answers detail,
/// label, policy and live queries plausibly, and ships result logs.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace flotilla::bench {

using clock = std::chrono::steady_clock;

/// A latency histogram with 2 % wide log buckets, from 1 µs to hours.
class histogram {
public:
    void add(std::chrono::nanoseconds d);
    void merge(const histogram& o);
    void reset() { *this = histogram{}; }
    std::uint64_t count() const { return count_; }
    /// The q-quantile (0..1) in milliseconds.
    double quantile_ms(double q) const;
    double max_ms() const { return max_us_ / 1000.0; }

private:
    static constexpr std::size_t buckets = 1200;
    std::array<std::uint64_t, buckets> counts_{};
    std::uint64_t count_ = 0;
    double max_us_ = 0;
};

enum class endpoint { enroll, config, read, write, log };
inline constexpr std::array<const char*, 5> endpoint_names{"enroll", "config", "read", "write",
                                                           "log"};

struct endpoint_stats {
    histogram latency;
    std::uint64_t errors = 0;
};

struct sim_options {
    std::string url = "http://127.0.0.1:8080";
    int hosts = 100;
    std::string enroll_secret;
    double ramp_s = 10;            ///< enrollment spread over this
    double config_interval_s = 60; ///< osquery's config_refresh
    double query_interval_s = 10;  ///< osquery's distributed_interval
    double log_interval_s = 60;    ///< a result log this often
    int connections = 64;          ///< keep-alive connections shared by the agents
    std::string prefix = "sim";    ///< hostnames are <prefix>-<n>
    /// Saturation: once every host is enrolled, each connection sends reads back to
    /// back (round-robin over the hosts) instead of on the interval.
    bool saturate = false;
    /// Reconnection: > 0 closes and re-opens pooled connections (new TCP connection and,
    /// over https, a new TLS handshake) so that the fleet makes hosts / reconnect_s of
    /// them per second, as if every host reconnected every reconnect_s seconds.
    double reconnect_s = 0;
    /// Over https, a reconnection offers the connection's last TLS session (resumption).
    bool resume = true;
};

/// Counters and histograms, cumulative and since the last progress line.
struct sim_stats {
    std::array<endpoint_stats, 5> total, window;
    std::uint64_t enrolled = 0;
    std::uint64_t live_answers = 0; ///< live queries answered
    double max_lag_ms = 0;          ///< worst delay between due and sent
    std::uint64_t connection_errors = 0;
    /// The totals count from here: the start, or in saturation mode the moment
    /// the last host enrolled (so they cover the back-to-back reads only).
    clock::time_point measured_from = clock::now();
    /// Connection set-ups since measured_from (TCP connect, plus the TLS handshake over
    /// https), from the connect to the handshake's end; `resumed` resumed a TLS session.
    histogram handshake_full, handshake_resumed;
    /// The enrollment phase, never reset: from the start to the moment the last host
    /// enrolled for the first time, and every enroll's latency over the whole run.
    clock::time_point started = clock::now();
    clock::time_point last_first_enroll{};
    std::uint64_t first_enrolls = 0;
    histogram enroll_all;
    std::uint64_t enroll_errors_all = 0;
};

class fleet_sim {
public:
    fleet_sim(boost::asio::io_context& io, sim_options o);
    ~fleet_sim();
    /// Connects the pool and begins enrolling.
    void start();
    /// Stops scheduling; in-flight requests are dropped.
    void stop();
    const sim_stats& stats() const;
    /// Resets the window histograms (after printing a progress line).
    void reset_window();
    /// Starts the totals afresh from now (a steady-state measurement window).
    void restart_totals();
    /// Called on the io thread for every live query a host answers: campaign id, host.
    std::function<void(std::int64_t, const std::string&)> on_live_answer;

    struct impl;

private:
    std::shared_ptr<impl> p_;
};

/// One progress line: enrolled hosts, requests/s and p50/p99 per endpoint, errors.
std::string progress_line(const sim_stats& s, double window_s);
/// The final summary (machine-readable).
boost::json::object summary(const sim_stats& s, const sim_options& o, double seconds);

} // namespace flotilla::bench
