#include "actors/registry_store.hpp"

#include "actors/host_registry.hpp"
#include "actors/persistence_actor.hpp"
#include "service/hosts.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace flotilla::actors {

namespace {

/// About the bytes a write's results hold, for the bound on kept writes.
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

} // namespace

void store_effects(caf::local_actor* self, const caf::actor& persistence,
                   host_registry_state::write_effects fx, micros now) {
    if (fx.details.empty() && fx.labels.empty() && fx.policies.empty())
        return;
    caf::actor_addr me = self->address();
    acked_write w;
    w.what = "results of host " + std::to_string(fx.host_id);
    w.bytes = effects_bytes(fx);
    w.run = [me, fx = std::move(fx), now](storage::store& st) -> expected<void> {
        if (!fx.details.empty()) {
            auto h = st.host_by_id(fx.host_id);
            if (!h)
                return h.err();
            for (const auto& [name, rows] : fx.details)
                ingest_detail(*h, name, rows);
            h->detail_updated_at = now;
            h->refetch_requested = false;
            h->updated_at = now;
            if (auto ok = st.update_host(*h); !ok)
                return ok;
            // A host that did not report its flags goes by the configured intervals.
            std::vector<host> one{*h};
            if (auto ok = service::fill_configured_intervals(st, one); !ok)
                return ok;
            if (auto a = caf::actor_cast<caf::actor>(me))
                caf::anon_send(
                    a, host_updated_msg{h->id, h->platform, h->hostname, online_window_s(one[0])});
        }
        if (!fx.labels.empty())
            if (auto ok = st.record_label_results(fx.host_id, fx.labels, now); !ok)
                return ok;
        if (!fx.policies.empty())
            if (auto ok = st.record_policy_results(fx.host_id, fx.policies, now); !ok)
                return ok;
        return {};
    };
    store_acked(persistence, std::move(w));
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
