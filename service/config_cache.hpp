#pragma once
/// Design (issue 14, pt 3): the config a host is served comes from memory, so a
/// config fetch never waits for the store. The cache holds the inputs of every
/// host's config — the global and team agent options and every pack with its
/// targets and scheduled queries — plus, for the labels packs target, which hosts
/// are members; configs are rendered once per (options source, platform, packs)
/// and served as bytes.
///
/// Read-your-writes: every change to those inputs made through the API
/// invalidates the cache before it is answered (http/api.cpp), and the next fetch
/// loads it again on the persistence actor, after that commit. A load that an
/// invalidation overtook is not installed. Label results written by the
/// check-in path update the membership as they are committed (same thread as
/// loads: the persistence actor), so a host's packs follow its labels without a
/// reload. All Hosts is every host, not a list.

#include "model/error.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace flotilla::service {

class config_cache {
public:
    /// Rendered configs kept at most (past it they are dropped and rendered again).
    static constexpr std::size_t max_rendered = 4096;

    /// The serialised config for a host, or null when no inputs are loaded (load
    /// them on the persistence actor, then ask again).
    std::shared_ptr<const std::string>
    find(std::int64_t host_id, std::optional<std::int64_t> team_id, const std::string& platform);
    /// Loads the inputs from the store (on the persistence actor) and installs
    /// them unless invalidated meanwhile; before setup nothing is installed.
    expected<void> load(storage::store& st);
    /// What configs are made of changed: nothing is served until the next load.
    void invalidate();
    /// Label results were committed: the membership of targeted labels follows.
    void labels_written(const std::vector<storage::host_store::label_results>& batch);
    /// A new host row: it is a member of no targeted label yet (an id SQLite
    /// reuses must not inherit a deleted host's labels).
    void host_inserted(std::int64_t host_id);
    /// Whether inputs are loaded.
    bool loaded() const;

    struct counters {
        std::atomic<std::uint64_t> hits{0}, renders{0}, misses{0}, loads{0}, invalidations{0};
    };
    const counters& stats() const { return stats_; }

private:
    struct inputs {
        boost::json::value global_options;
        std::unordered_map<std::int64_t, boost::json::value> team_options; ///< non-empty ones
        std::vector<storage::host_store::pack_entry> packs;
        std::int64_t all_hosts = -1;               ///< the All Hosts label's id
        std::unordered_set<std::int64_t> targeted; ///< labels enabled packs target (not All Hosts)
        /// host → the targeted labels it is a member of
        std::unordered_map<std::int64_t, std::vector<std::int64_t>> members;
    };
    /// The packs that apply to a host, as packs_for_host has it.
    static std::vector<std::size_t> packs_of(const inputs& in, std::int64_t host_id,
                                             std::optional<std::int64_t> team_id);

    mutable std::mutex mu_;
    std::shared_ptr<inputs> in_;
    std::uint64_t generation_ = 0;
    std::unordered_map<std::string, std::shared_ptr<const std::string>> rendered_;
    counters stats_;
};

} // namespace flotilla::service
