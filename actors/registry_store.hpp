#pragma once
/// The host registry's persistence glue: what the registry hands the
/// persistence actor (catalogue reloads, a check-in's results, seen-time
/// chunks) as store jobs and acknowledged writes. The rules are in
/// host_registry_state.hpp; the actor is host_registry.cpp.

#include "actors/host_registry_state.hpp"
#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <cstdint>
#include <utility>
#include <vector>

namespace flotilla::actors {

/// Asks the persistence actor to load the label and policy catalogue and hand it
/// to `self` (the registry).
void load_catalog(caf::local_actor* self, const caf::actor& persistence);

/// Stores a check-in's results (answered already): kept and retried by the
/// persistence actor while the store is unavailable; replaying them is harmless.
/// What detail ingestion learns goes back to `self` as a host_updated_msg.
void store_effects(caf::local_actor* self, const caf::actor& persistence,
                   host_registry_state::write_effects fx, micros now);

/// The write of one chunk of seen times; `written` hears seen_saved_atom once it
/// is written, kept or given up on.
acked_write seen_times_write(std::vector<std::pair<std::int64_t, micros>> chunk,
                             caf::actor written);

} // namespace flotilla::actors
