/// agent_sim: simulates N osquery agents against a Fleet-compatible server and
/// reports what it saw (README.md beside this file).

#include "benchmarks/agent_sim/sim.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>

using namespace flotilla::bench;

int main(int argc, char** argv) {
    CLI::App app{"agent_sim: simulated osquery agents for load tests"};
    sim_options o;
    double duration = 60, progress = 5;
    std::string summary_file;
    app.add_option("--url", o.url, "server, http://host:port or https://host:port");
    app.add_option("--hosts", o.hosts, "simulated agents")->check(CLI::Range(1, 10'000'000));
    app.add_option("--enroll_secret", o.enroll_secret, "enroll secret")->required();
    app.add_option("--ramp", o.ramp_s, "seconds over which the agents enroll");
    app.add_option("--config_interval", o.config_interval_s, "seconds between config fetches");
    app.add_option("--query_interval", o.query_interval_s,
                   "seconds between distributed/read polls");
    app.add_option("--log_interval", o.log_interval_s, "seconds between result logs");
    app.add_option("--connections", o.connections, "keep-alive connections the agents share")
        ->check(CLI::Range(1, 60'000));
    app.add_option("--prefix", o.prefix, "hostname prefix");
    app.add_flag("--saturate", o.saturate,
                 "after enrolling, send reads back to back on every connection");
    app.add_option("--reconnect", o.reconnect_s,
                   "re-open pooled connections (TCP, and TLS over https) so that the fleet "
                   "makes hosts/S connections per second: as if every host reconnected every "
                   "S seconds (0: keep them)")
        ->check(CLI::NonNegativeNumber);
    bool no_resume = false;
    app.add_flag("--no_resume", no_resume,
                 "with --reconnect over https, full handshakes only (no TLS session resumption)");
    app.add_option("--duration", duration, "seconds to run (enrollment included)");
    app.add_option("--progress", progress, "seconds between progress lines (stderr)");
    app.add_option("--summary", summary_file, "also write the JSON summary here");
    double measure_after = 0;
    app.add_option("--measure_after", measure_after,
                   "the summary counts from this many seconds in (steady state only)");
    CLI11_PARSE(app, argc, argv);
    o.resume = !no_resume;

    boost::asio::io_context io;
    fleet_sim sim(io, o);
    try {
        sim.start();
    } catch (const std::exception& e) {
        std::cerr << "agent_sim: " << e.what() << "\n";
        return 2;
    }
    boost::asio::steady_timer progress_timer(io), end_timer(io);
    std::function<void()> report = [&] {
        progress_timer.expires_after(
            std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(progress)));
        progress_timer.async_wait([&](boost::system::error_code ec) {
            if (ec)
                return;
            std::cerr << progress_line(sim.stats(), progress) << std::endl;
            sim.reset_window();
            report();
        });
    };
    report();
    boost::asio::steady_timer measure_timer(io);
    if (measure_after > 0) {
        measure_timer.expires_after(std::chrono::duration_cast<clock::duration>(
            std::chrono::duration<double>(measure_after)));
        measure_timer.async_wait([&](boost::system::error_code ec) {
            if (ec)
                return;
            sim.restart_totals();
            std::cerr << "measuring from here" << std::endl;
        });
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    auto finish = [&] {
        sim.stop();
        progress_timer.cancel();
        measure_timer.cancel();
        signals.cancel();
        io.stop();
    };
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec)
            finish();
    });
    end_timer.expires_after(
        std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(duration)));
    end_timer.async_wait([&](boost::system::error_code ec) {
        if (!ec)
            finish();
    });
    io.run();
    const double seconds =
        std::chrono::duration<double>(clock::now() - sim.stats().measured_from).count();
    const auto out = boost::json::serialize(summary(sim.stats(), o, seconds));
    std::cout << out << std::endl;
    if (!summary_file.empty())
        std::ofstream(summary_file) << out << "\n";
    return 0;
}
