#include "actors/registry_store.hpp"

#include "actors/host_registry.hpp"
#include "actors/persistence_actor.hpp"
#include "service/hosts.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>
#include <unordered_map>

namespace flotilla::actors {

std::size_t effects_bytes(const host_registry_state::write_effects& fx) {
    std::size_t n = sizeof fx;
    for (const auto& [name, rows] : fx.details) {
        n += name.size() + 32;
        for (const auto& row : rows)
            for (const auto& [k, v] : row)
                n += k.size() + v.size() + 64;
    }
    n += fx.labels.size() * sizeof(fx.labels[0]) + fx.policies.size() * sizeof(fx.policies[0]);
    return n;
}

namespace {

/// Detail answers: the hosts read in one query, ingested, written back; what
/// the registry must learn is returned.
expected<std::vector<host_updated_msg>> write_details(storage::store& st,
                                                      const std::vector<timed_effects>& batch) {
    std::vector<std::int64_t> ids;
    for (const auto& e : batch)
        if (!e.fx.details.empty())
            ids.push_back(e.fx.host_id);
    if (ids.empty())
        return std::vector<host_updated_msg>{};
    auto hosts = st.hosts_by_ids(ids);
    if (!hosts)
        return hosts.err();
    std::unordered_map<std::int64_t, host*> by_id;
    for (auto& h : *hosts)
        by_id.emplace(h.id, &h);
    for (const auto& e : batch) {
        auto it = by_id.find(e.fx.host_id);
        if (e.fx.details.empty() || it == by_id.end())
            continue; // a host deleted meanwhile
        host& h = *it->second;
        for (const auto& [name, rows] : e.fx.details)
            ingest_detail(h, name, rows);
        h.detail_updated_at = e.at;
        h.refetch_requested = false;
        h.updated_at = e.at;
    }
    if (auto ok = st.update_hosts(*hosts); !ok)
        return ok.err();
    // A host that did not report its flags goes by the configured intervals.
    if (auto ok = service::fill_configured_intervals(st, *hosts); !ok)
        return ok.err();
    std::vector<host_updated_msg> learned;
    for (const auto& h : *hosts)
        learned.push_back({h.id, h.platform, h.hostname, online_window_s(h)});
    return learned;
}

} // namespace

acked_write results_write(const caf::actor_addr& registry, std::vector<timed_effects> batch,
                          std::shared_ptr<service::config_cache> cache) {
    acked_write w;
    w.what = "results of " + std::to_string(batch.size()) + " check-ins";
    w.bytes = sizeof w;
    for (const auto& e : batch)
        w.bytes += effects_bytes(e.fx) + sizeof e;
    w.run = [registry, batch = std::move(batch),
             cache = std::move(cache)](storage::store& st) -> expected<void> {
        std::vector<host_updated_msg> learned;
        std::vector<storage::host_store::label_results> labels;
        auto done = st.transaction([&]() -> expected<void> {
            auto details = write_details(st, batch);
            if (!details)
                return details.err();
            learned = std::move(*details);
            labels.clear();
            std::vector<storage::host_store::policy_results> policies;
            for (const auto& e : batch) {
                if (!e.fx.labels.empty())
                    labels.push_back({e.fx.host_id, e.fx.labels, e.at});
                if (!e.fx.policies.empty())
                    policies.push_back({e.fx.host_id, e.fx.policies, e.at});
            }
            if (!labels.empty())
                if (auto ok = st.record_label_batch(labels); !ok)
                    return ok;
            if (!policies.empty())
                if (auto ok = st.record_policy_batch(policies); !ok)
                    return ok;
            return {};
        });
        if (!done)
            return done;
        if (cache && !labels.empty())
            cache->labels_written(labels);
        if (auto a = caf::actor_cast<caf::actor>(registry))
            for (auto& m : learned)
                caf::anon_send(a, std::move(m));
        return {};
    };
    return w;
}

acked_write seen_times_write(std::vector<std::pair<std::int64_t, micros>> chunk) {
    acked_write w;
    w.what = "seen times of " + std::to_string(chunk.size()) + " hosts";
    w.bytes = chunk.size() * sizeof(chunk[0]) + sizeof w;
    w.run = [chunk = std::move(chunk)](storage::store& store) {
        return store.save_seen_times(chunk);
    };
    return w;
}

void registry_reload_catalog(const caf::actor& registry, storage::store& st) {
    auto c = st.load_query_catalog();
    if (!c) {
        spdlog::warn("cannot load the label/policy catalogue: {}", c.err().message);
        return;
    }
    caf::anon_send(registry, std::move(*c));
}

} // namespace flotilla::actors
