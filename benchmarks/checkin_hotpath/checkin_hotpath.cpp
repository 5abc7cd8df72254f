/// The check-in hot path in-process: the host registry's answer to a
/// distributed/read with nothing due, its memory per enrolled host, and what an
/// idle CAF actor per host would cost instead. See README.md.

#include "actors/campaign_directory.hpp"
#include "actors/host_registry.hpp"
#include "http/agent_codec.hpp"
#include "model/json.hpp"
#include "model/query_name.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>
#include <caf/all.hpp>
#include <iostream>
#include <malloc.h>

using namespace flotilla;
using namespace flotilla::actors;

namespace {

std::size_t heap_in_use() {
    return mallinfo2().uordblks;
}

std::vector<host> make_hosts(int n, micros now) {
    std::vector<host> hosts(n);
    for (int i = 0; i < n; ++i) {
        auto& h = hosts[i];
        h.id = i + 1;
        h.node_key = "nodekey-" + std::to_string(1'000'000'000 + i) + "-padded-to-32ch";
        h.node_key.resize(32, 'x');
        h.hostname = "host-" + std::to_string(i);
        h.platform = "ubuntu";
        h.detail_updated_at = h.label_updated_at = h.policy_updated_at = now;
    }
    return hosts;
}

checkin_settings settings(micros& now) {
    checkin_settings s;
    s.clock = [&now] { return now; };
    return s;
}

void registry_read_nothing_due(benchmark::State& state) {
    micros now = seconds_to_micros(1'800'000'000);
    host_registry_state reg;
    auto hosts = make_hosts(static_cast<int>(state.range(0)), now);
    reg.init(settings(now), hosts);
    std::size_t i = 0;
    for (auto _ : state) {
        auto r = reg.read(hosts[i++ % hosts.size()].node_key);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(registry_read_nothing_due)->Arg(1'000)->Arg(100'000);

/// The pending-query lookup: a host targeted by `range(0)` active campaigns (its
/// read hands them all out until it answers), among 1,000 hosts.
void registry_read_with_campaigns(benchmark::State& state) {
    micros now = seconds_to_micros(1'800'000'000);
    host_registry_state reg;
    auto hosts = make_hosts(1'000, now);
    reg.init(settings(now), hosts);
    const auto n = state.range(0);
    for (std::int64_t c = 1; c <= n; ++c)
        reg.start_campaign(c, "SELECT * FROM processes WHERE pid = " + std::to_string(c),
                           {hosts[0].id});
    for (auto _ : state) {
        auto r = reg.read(hosts[0].node_key);
        benchmark::DoNotOptimize(r);
    }
    state.counters["queries"] = static_cast<double>(n);
}
BENCHMARK(registry_read_with_campaigns)->Arg(0)->Arg(10)->Arg(1'000);

/// The same lookup for a host no campaign targets while 1,000 are active.
void registry_read_untargeted_among_campaigns(benchmark::State& state) {
    micros now = seconds_to_micros(1'800'000'000);
    host_registry_state reg;
    auto hosts = make_hosts(1'000, now);
    reg.init(settings(now), hosts);
    for (std::int64_t c = 1; c <= 1'000; ++c)
        reg.start_campaign(c, "SELECT 1", {hosts[0].id});
    for (auto _ : state) {
        auto r = reg.read(hosts[1].node_key);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(registry_read_untargeted_among_campaigns);

/// Which active campaigns target an enrolling host (the registry asks at every
/// enrollment) while one campaign targets `range(0)` hosts.
void campaign_targeting_one_host(benchmark::State& state) {
    campaign_directory d;
    const auto n = state.range(0);
    std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
        ids[static_cast<std::size_t>(i)] = n - i; // given in any order
    d.add(1, "SELECT 1", std::move(ids));
    std::int64_t h = 0;
    for (auto _ : state) {
        auto r = d.targeting(h++ % n + 1);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(campaign_targeting_one_host)->Arg(100'000)->Arg(1'000'000);

/// A bulk delete of 1,000 hosts while one campaign targets `range(0)` hosts.
void campaign_remove_1000_hosts(benchmark::State& state) {
    const auto n = state.range(0);
    std::vector<std::int64_t> ids(static_cast<std::size_t>(n)), gone;
    for (std::int64_t i = 0; i < n; ++i)
        ids[static_cast<std::size_t>(i)] = i + 1;
    gone.reserve(1'000);
    for (std::int64_t i = 0; i < 1'000; ++i)
        gone.push_back(n - i * (n / 1'000));
    for (auto _ : state) {
        state.PauseTiming();
        campaign_directory d;
        d.add(1, "SELECT 1", ids);
        state.ResumeTiming();
        auto r = d.remove_hosts(gone);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(campaign_remove_1000_hosts)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

/// The registry's part of creating and ending a campaign on `range(0)` hosts of as many:
/// marking each target, counting them, and unmarking them.
void registry_campaign_start_and_stop(benchmark::State& state) {
    micros now = seconds_to_micros(1'800'000'000);
    host_registry_state reg;
    auto hosts = make_hosts(static_cast<int>(state.range(0)), now);
    reg.init(settings(now), hosts);
    std::vector<std::int64_t> ids;
    ids.reserve(hosts.size());
    for (const auto& h : hosts)
        ids.push_back(h.id);
    std::int64_t c = 0;
    for (auto _ : state) {
        auto counts = reg.start_campaign(++c, "SELECT 1", ids);
        benchmark::DoNotOptimize(counts);
        reg.stop_campaign(c, "done");
    }
}
BENCHMARK(registry_campaign_start_and_stop)->Arg(100'000)->Unit(benchmark::kMillisecond);

/// A distributed/write body as osquery sends it: `n` answers of a few rows each.
std::string write_body(int n) {
    boost::json::object queries, statuses;
    for (int i = 0; i < n; ++i) {
        const auto name = live_query_name(i + 1);
        boost::json::array rows;
        for (int r = 0; r < 3; ++r)
            rows.push_back({{"pid", std::to_string(r + 1)},
                            {"name", "process-" + std::to_string(r)},
                            {"path", "/usr/bin/process-" + std::to_string(r)}});
        queries[name] = std::move(rows);
        statuses[name] = 0;
    }
    return boost::json::serialize(boost::json::object{
        {"node_key", std::string(32, 'k')}, {"queries", queries}, {"statuses", statuses}});
}

/// Parsing and decoding a distributed/write body (the server's own code).
void decode_distributed_write(benchmark::State& state) {
    const auto body = write_body(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto obj = json::parse_object(body);
        auto results = http::decode_write(*obj);
        benchmark::DoNotOptimize(results);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(decode_distributed_write)->Arg(1)->Arg(10);

/// Encoding and serialising a distributed/read answer with `n` queries.
void encode_distributed_read(benchmark::State& state) {
    read_answer ans;
    for (std::int64_t i = 0; i < state.range(0); ++i)
        ans.queries.emplace_back(live_query_name(i + 1),
                                 "SELECT * FROM processes WHERE pid = " + std::to_string(i));
    for (auto _ : state) {
        auto text = boost::json::serialize(http::encode_read(ans));
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK(encode_distributed_read)->Arg(0)->Arg(10)->Arg(1'000);

/// Parsing a distributed/read request body (just the node key).
void decode_distributed_read(benchmark::State& state) {
    const std::string body = R"({"node_key":")" + std::string(32, 'k') + R"("})";
    for (auto _ : state) {
        auto obj = json::parse_object(body);
        benchmark::DoNotOptimize(obj);
    }
}
BENCHMARK(decode_distributed_read);

struct idle_state {
    static inline const char* name = "idle";
    std::int64_t id = 0;
};

} // namespace

int main(int argc, char** argv) {
    {
        micros now = seconds_to_micros(1'800'000'000);
        auto hosts = make_hosts(100'000, now);
        const auto before = heap_in_use();
        host_registry_state reg;
        reg.init(settings(now), hosts);
        const auto after = heap_in_use();
        std::cout << "registry: " << (after - before) / 100'000.0 << " bytes per enrolled host "
                  << "(100,000 hosts, heap in use)\n";
    }
    {
        caf::actor_system_config cfg;
        cfg.set("logger.console", caf::atom("none"));
        caf::actor_system sys(cfg);
        std::vector<caf::actor> actors;
        actors.reserve(100'000);
        const auto before = heap_in_use();
        for (int i = 0; i < 100'000; ++i)
            actors.push_back(sys.spawn([](caf::stateful_actor<idle_state>*) -> caf::behavior {
                return {[](std::int64_t) {}};
            }));
        const auto after = heap_in_use();
        std::cout << "one idle CAF actor per host: " << (after - before) / 100'000.0
                  << " bytes per host (100,000 stateful actors with an empty state)\n";
        for (auto& a : actors)
            caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
