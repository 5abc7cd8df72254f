#pragma once
/// Design: the persistence actor is the only owner of the store and its
/// connection. It is detached (its own thread) because every store call
/// blocks; HTTP handlers send it a `store_job` whose closure answers through a
/// reply handle, so no I/O thread ever waits on it; other actors ask it with a
/// CAF request (`ask_atom`, store_query) and a timeout. Writes already
/// acknowledged to their senders go through `acked_write`s instead, which it
/// keeps and retries while the store is unavailable (deferred_writes.hpp).

#include "actors/deferred_writes.hpp"
#include "service/agents.hpp"
#include "storage/store.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <chrono>
#include <memory>

namespace flotilla::actors {

/// How often expired sessions are swept.
inline constexpr std::chrono::minutes session_sweep_interval{10};
/// While writes are kept, the store is tried again this often (each try fails at
/// once until the driver's own reconnect backoff lets it connect).
inline constexpr std::chrono::milliseconds deferred_retry_interval{100};
/// At most this many kept writes are replayed in a row, so new jobs interleave.
inline constexpr std::size_t deferred_writes_per_turn = 8;

/// The persistence actor's settings (tests make the bound small).
struct persistence_options {
    std::size_t max_deferred_bytes = actors::max_deferred_bytes;
    std::chrono::milliseconds retry_interval = deferred_retry_interval;
    /// Where it counts what happened to acknowledged writes (made when null).
    std::shared_ptr<deferred_counters> counters;
};

/// An agent's enrollment. The persistence actor enrolls every one waiting in its
/// mailbox in one batch (one transaction, multi-row statements: group commit),
/// then answers each through `done`, in order.
struct enroll_job {
    service::enroll_input in;
    micros now = 0;
    std::function<void(expected<service::enrollment>)> done;
};
/// Enrollments are enrolled at most this many in one batch.
inline constexpr std::size_t max_enroll_batch = 1024;

/// Hands an enrollment to the persistence actor (dropped past shutdown).
void store_enroll(const caf::actor& persistence, enroll_job job);

/// Spawns the persistence actor owning `store`.
caf::actor spawn_persistence_actor(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                                   persistence_options opts = {});

/// Hands an acknowledged write to the persistence actor, not waiting for its
/// receipt (a sender that must, requests `acked_atom` with the write instead).
void store_acked(const caf::actor& persistence, acked_write w);

/// Spawns a detached one-shot worker that runs `fn` off the scheduler threads
/// (for CPU-heavy work such as argon2id hashing).
void run_detached(caf::actor_system& sys, std::function<void()> fn);

} // namespace flotilla::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::enroll_job)
