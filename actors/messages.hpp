#pragma once
/// Every atom and message type the actors exchange, in one place (CAF 0.17:
/// atoms are at most 10 characters; non-inspectable types are allowed here).

#include "actors/host_registry.hpp"
#include "actors/log_writer.hpp"
#include "storage/store.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <functional>

namespace flotilla::actors {

/// Runs a unit of work against the store on the persistence actor.
using job_atom = caf::atom_constant<caf::atom("job")>;
/// Periodic housekeeping (expired sessions) on the persistence actor.
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

/// Seen times are due to be written (host registry).
using flush_atom = caf::atom_constant<caf::atom("flush")>;
/// The label/policy catalogue is due to be reloaded (host registry).
using catalog_atom = caf::atom_constant<caf::atom("catalog")>;

/// To the host registry: a host was enrolled; `done` runs once it is known.
struct registry_register_msg {
    host h;
    std::string previous_node_key;
    std::function<void()> done;
};
/// To the host registry: resolve a node key (config, log).
struct registry_auth_msg {
    std::string node_key;
    auth_reply reply;
};
/// To the host registry: a distributed/read.
struct registry_read_msg {
    std::string node_key;
    read_reply reply;
};
/// To the host registry: a distributed/write's answers.
struct registry_write_msg {
    std::string node_key;
    std::vector<query_result> results;
    write_reply reply;
};
/// To the host registry: detail ingestion stored new facts about a host.
struct host_updated_msg {
    std::int64_t id;
    std::string platform;
    bool hostname_known;
};

/// To the log writer: lines for one of its files.
struct log_lines_msg {
    log_kind kind;
    std::vector<std::string> lines;
};

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
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_register_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_auth_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_read_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_write_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::host_updated_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::storage::query_catalog)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::log_lines_msg)
