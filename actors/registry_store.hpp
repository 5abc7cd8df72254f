#pragma once
/// The host registry's persistence glue: what the registry hands the
/// persistence actor (a check-in's results, seen-time chunks) as acknowledged
/// writes. The rules are in
/// host_registry_state.hpp; the actor is host_registry.cpp.

#include "actors/host_registry_state.hpp"
#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <cstdint>
#include <utility>
#include <vector>

namespace flotilla::actors {

/// Stores a check-in's results (answered already): kept and retried by the
/// persistence actor while the store is unavailable; replaying them is harmless.
/// What detail ingestion learns goes back to `self` as a host_updated_msg.
void store_effects(caf::local_actor* self, const caf::actor& persistence,
                   host_registry_state::write_effects fx, micros now);

/// The write of one chunk of seen times (the registry requests it with
/// `acked_atom` and sends the next chunk once it is answered).
acked_write seen_times_write(std::vector<std::pair<std::int64_t, micros>> chunk);

} // namespace flotilla::actors
