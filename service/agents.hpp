#pragma once
/// The osquery agent's rules that need the store (fleet-behaviour.md §6):
/// enrollment by secret, and the config a host is served. Check-ins themselves
/// (distributed/read and write) are the host registry's, in memory.

#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/host.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

struct enrollment {
    host h;                        ///< as stored, with its id and team
    std::string node_key;          ///< the new key the agent is given
    std::string previous_node_key; ///< "" for a new host
};

/// Enrolls the host `details` describes (osquery_host_id and the enroll details)
/// with `secret`: an empty or unknown secret is node_invalid "enroll failed: no
/// matching secret found", a missing identifier node_invalid "save enroll
/// failed: missing osquery host identifier". The host joins the secret's team;
/// a known identifier keeps its row and gets a new key.
expected<enrollment> enroll_host(storage::store& st, const std::string& secret, const host& details,
                                 micros now);

/// One agent's enrollment request.
struct enroll_input {
    std::string secret;
    host details;
};

/// enroll_host for a batch: each answer in the order of `batch`. A refused
/// request (unknown secret, no identifier) is refused alone; the others are
/// written in one transaction, and a store failure fails them all.
std::vector<expected<enrollment>> enroll_hosts(storage::store& st,
                                               const std::vector<enroll_input>& batch, micros now);

/// The osquery config for a host: its team's agent options when the team has
/// any, else the global ones, with `overrides.platforms` applied for `platform`,
/// and the packs that target the host.
expected<boost::json::value> agent_config(storage::store& st, std::int64_t host_id,
                                          std::optional<std::int64_t> team_id,
                                          const std::string& platform);

} // namespace flotilla::service
