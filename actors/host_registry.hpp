#pragma once
/// Design: check-ins are served by one `host_registry` actor that owns a compact
/// record per enrolled host and a cached catalogue of label and policy queries.
/// A distributed/read with nothing due is a map lookup and a few comparisons: no
/// database round trip. Its three jobs are apart: the check-in rules
/// (host_registry_state.hpp, pure), the campaign directory
/// (campaign_directory.hpp) and the persistence glue (registry_store.hpp:
/// results and seen times go to the persistence actor as jobs, seen times
/// batched); this file is the actor that ties them. See actors/README.md for why
/// this and not one actor per host.

#include "actors/host_registry_state.hpp"
#include "actors/messages.hpp"
#include "model/host.hpp"
#include "storage/store.hpp"

#include <caf/fwd.hpp>
#include <functional>
#include <string>
#include <vector>

namespace flotilla::actors {

/// Loads the label and policy catalogue from `st` and hands it to the registry.
/// Called on the persistence actor right after an apply commits and before the
/// apply is answered: the registry has the new catalogue before any request that
/// follows the answer can reach it (read-your-writes for check-ins).
void registry_reload_catalog(const caf::actor& registry, storage::store& st);

/// Spawns the registry with the hosts the store has; `persistence` runs store jobs.
caf::actor spawn_host_registry(caf::actor_system& sys, caf::actor persistence,
                               checkin_settings settings, std::vector<host> hosts);

// What callers send it (all asynchronous; answers come through the callbacks).
void registry_register(const caf::actor& registry, host h, std::string previous_node_key,
                       std::function<void()> done);
void registry_authenticate(const caf::actor& registry, std::string node_key, auth_reply reply);
void registry_read(const caf::actor& registry, std::string node_key, read_reply reply);
void registry_write(const caf::actor& registry, std::string node_key,
                    std::vector<query_result> results, write_reply reply);

} // namespace flotilla::actors
