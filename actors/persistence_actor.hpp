#pragma once
/// Design: the persistence actor is the only owner of the store and its
/// connection. It is detached (its own thread) because every store call
/// blocks; callers send it a `store_job` whose closure answers through a reply
/// handle, so no I/O thread ever waits on it.

#include "storage/store.hpp"

#include <caf/fwd.hpp>
#include <chrono>
#include <memory>

namespace flotilla::actors {

/// How often expired sessions are swept.
inline constexpr std::chrono::minutes session_sweep_interval{10};

/// Spawns the persistence actor owning `store`.
caf::actor spawn_persistence_actor(caf::actor_system& sys, std::shared_ptr<storage::store> store);

/// Spawns a detached one-shot worker that runs `fn` off the scheduler threads
/// (for CPU-heavy work such as argon2id hashing).
void run_detached(caf::actor_system& sys, std::function<void()> fn);

} // namespace flotilla::actors
