/// The check-in hot path in-process: the host registry's answer to a
/// distributed/read with nothing due, its memory per enrolled host, and what an
/// idle CAF actor per host would cost instead. See README.md.

#include "actors/host_registry.hpp"

#include <benchmark/benchmark.h>
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
