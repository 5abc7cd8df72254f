#pragma once
/// The host registry's persistence glue: what the registry hands the
/// persistence actor (a check-in's results, seen-time chunks) as acknowledged
/// writes. The rules are in
/// host_registry_state.hpp; the actor is host_registry.cpp.

#include "actors/host_registry_state.hpp"
#include "actors/messages.hpp"

#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>
#include <cstdint>
#include <utility>
#include <vector>

namespace flotilla::actors {

/// A check-in's results (answered already) and when they were taken.
struct timed_effects {
    host_registry_state::write_effects fx;
    micros at = 0;
};

/// About the bytes a check-in's results hold (for the byte bounds on waiting writes).
std::size_t effects_bytes(const host_registry_state::write_effects& fx);

/// The write of a batch of check-ins' results: one transaction, detail answers
/// read and written per host, label and policy results in multi-row statements.
/// Kept and retried by the persistence actor while the store is unavailable
/// (replaying it is harmless). What detail ingestion learns goes back to
/// `registry` as host_updated_msgs once it is written.
/// `cache` (may be null) learns the label results once they are committed.
acked_write results_write(const caf::actor_addr& registry, std::vector<timed_effects> batch,
                          std::shared_ptr<service::config_cache> cache);

/// The write of one chunk of seen times (the registry requests it with
/// `acked_atom` and sends the next chunk once it is answered).
acked_write seen_times_write(std::vector<std::pair<std::int64_t, micros>> chunk);

} // namespace flotilla::actors
