#pragma once
/// Every atom and message type the actors exchange, in one place (CAF 0.17:
/// atoms are at most 10 characters; non-inspectable types are allowed here).

#include "storage/store.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <functional>

namespace flotilla::actors {

/// Runs a unit of work against the store on the persistence actor.
using job_atom = caf::atom_constant<caf::atom("job")>;
/// Periodic housekeeping (expired sessions) on the persistence actor.
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

/// Work for the persistence actor: runs with exclusive access to the store and
/// answers through whatever reply handle it captured (never by blocking).
struct store_job {
    std::function<void(storage::store&)> run;
};

/// CPU-bound work (password hashing) for a detached worker.
struct cpu_job {
    std::function<void()> run;
};

} // namespace flotilla::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::store_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::cpu_job)
