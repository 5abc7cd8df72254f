#pragma once
/// The registry's campaign directory: the live-query campaigns being handed out
/// (their SQL, targeted hosts and the actor gathering their results) and why each
/// stopped campaign stopped, which is what a late select_campaign is told.
/// Owned by host_registry_state; no actor of its own.

#include "actors/messages.hpp"

#include <caf/actor.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace flotilla::actors {

class campaign_directory {
public:
    struct entry {
        std::string sql;
        std::vector<std::int64_t> host_ids; ///< sorted (add() sorts them)
        caf::actor actor;                   ///< set once spawned
    };

    void add(std::int64_t id, std::string sql, std::vector<std::int64_t> host_ids);
    /// The actor gathering campaign `id`'s results (ignored for a campaign not active).
    void attach(std::int64_t id, caf::actor a);
    /// The active campaign `id`, or null.
    const entry* active(std::int64_t id) const;
    /// Ends an active campaign, remembering `reason`; its entry, or nothing when
    /// it was not active.
    std::optional<entry> stop(std::int64_t id, std::string reason);
    std::optional<std::string> stopped_reason(std::int64_t id) const;
    /// What a subscriber asking for campaign `id` is told: its actor, or why there
    /// is none (fleet-behaviour.md §5).
    found_campaign_msg find(std::int64_t id) const;
    /// The active campaigns that target host `host_id`.
    std::vector<std::int64_t> targeting(std::int64_t host_id) const;
    /// Deleted hosts leave every active campaign's targets; returns the actors of
    /// the campaigns that targeted any of them.
    std::vector<caf::actor> remove_hosts(const std::vector<std::int64_t>& ids);

private:
    std::unordered_map<std::int64_t, entry> active_;
    std::unordered_map<std::int64_t, std::string> stopped_;
};

} // namespace flotilla::actors
