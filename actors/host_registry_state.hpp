#pragma once
/// The check-in rules, without an actor: a compact record per enrolled host
/// (node key → id, team, platform, when detail, label and policy queries are
/// next due, seen time), the cached label and policy catalogue with its
/// generations, and which live queries each host still owes. A distributed/read
/// with nothing due is a map lookup and a few comparisons. The actor around it
/// is actors/host_registry.cpp; what it stores goes through registry_store.hpp.

#include "actors/campaign_actor.hpp"
#include "actors/campaign_directory.hpp"
#include "actors/messages.hpp"
#include "model/campaign.hpp"
#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/host.hpp"
#include "service/config_cache.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace flotilla::actors {

/// How often the check-in path asks for each query class, and housekeeping.
struct checkin_settings {
    std::chrono::seconds detail_interval{3600};
    std::chrono::seconds label_interval{3600};
    std::chrono::seconds policy_interval{3600};
    /// Up to this fraction of an interval is added per host (Fleet: 10%).
    double max_jitter = 0.10;
    /// Seen times are taken for the store this often...
    std::chrono::milliseconds seen_flush_interval{5000};
    /// ...and written this many rows a job, one job at a time, so other store work
    /// (a config fetch, an enrollment) waits for one chunk at most, not for a whole
    /// flush (50,000 rows at 100,000 hosts: ~0.4 s on SQLite).
    std::size_t seen_chunk_rows = 2000;
    /// The label and policy catalogue is reloaded this often.
    std::chrono::milliseconds catalog_refresh{2000};
    clock_fn clock;
    /// Live query campaigns' timers.
    campaign_settings campaigns;
    /// Hosts unseen for the app config's host expiry window are deleted this often.
    std::chrono::milliseconds host_expiry_check{3'600'000};
    /// Told of label results as they are written (may be null).
    std::shared_ptr<service::config_cache> config_cache;
};

/// What a host is to the check-in path (kept small: ≈100 bytes plus its key).
struct host_entry {
    std::int64_t id = 0;
    std::optional<std::int64_t> team_id;
    std::string platform;
    bool needs_accelerate = true; ///< hostname or platform still unknown
    micros detail_due = 0, label_due = 0, policy_due = 0;
    double jitter = 0; ///< this host's fraction of an interval added to due times
    micros seen = 0;
    bool seen_dirty = false;
    micros created_at = 0;
    std::int64_t online_window_s = 60; ///< min(distributed_interval, config_tls_refresh) + 60
    std::string hostname;
    std::vector<std::int64_t> pending; ///< live query campaigns this host has not answered
    /// The catalogue generations whose label and policy queries this host has
    /// answered: a label or policy added or changed later is asked at its next
    /// check-in, without waiting for the interval.
    std::uint32_t label_gen = 0, policy_gen = 0;
};

/// The registry's state and rules, callable without an actor (unit tests).
class host_registry_state {
public:
    static inline const char* name = "host_registry";

    void init(checkin_settings s, const std::vector<host>& hosts);
    /// Adds or replaces a host after enrollment (forgetting its previous key).
    void register_host(const host& h, const std::string& previous_node_key);
    /// Resolves a node key and marks the host seen; node_invalid when unknown.
    expected<host_ref> authenticate(const std::string& node_key);
    /// What the host should run now.
    expected<read_answer> read(const std::string& node_key);
    /// Routes answers: returns the store work they need (run on the persistence
    /// actor), after updating the in-memory due times.
    struct write_effects {
        std::int64_t host_id = 0;
        std::vector<std::pair<std::string, std::vector<result_row>>> details;
        std::vector<std::pair<std::int64_t, bool>> labels;
        std::vector<storage::policy_result> policies;
        std::vector<campaign_result> live; ///< answers to live queries, once per host
    };
    expected<write_effects> write(const std::string& node_key, const std::vector<query_result>& r);
    /// Applies what detail ingestion learned: platform, hostname, online window.
    void host_updated(std::int64_t id, const std::string& platform, const std::string& hostname,
                      std::int64_t online_window_s);
    /// Replaces the label and policy catalogue. A query added or changed since
    /// the previous catalogue gets a new generation, so every host is asked it at
    /// its next check-in (the first catalogue is the baseline: nothing is new).
    void set_catalog(storage::query_catalog c);
    /// Starts handing a campaign's query to `host_ids` (unknown ids are skipped);
    /// returns the targeted hosts' counts.
    host_counts start_campaign(std::int64_t id, std::string sql,
                               const std::vector<std::int64_t>& host_ids);
    /// Stops handing it out; `reason` is what a later select_campaign is told.
    void stop_campaign(std::int64_t id, std::string reason);
    /// Counts by status of `host_ids`, now.
    host_counts counts(const std::vector<std::int64_t>& host_ids) const;
    /// Why a campaign was stopped, if it was.
    std::optional<std::string> stopped_reason(std::int64_t id) const {
        return campaigns_.stopped_reason(id);
    }
    /// The campaigns being handed out, their actors, and why stopped ones stopped.
    campaign_directory& campaigns() { return campaigns_; }
    const campaign_directory& campaigns() const { return campaigns_; }

    /// The hosts last seen before `cutoff` (host expiry).
    std::vector<std::int64_t> seen_before(micros cutoff) const;
    /// Forgets deleted hosts: their node keys are node_invalid from now on, and
    /// they leave every campaign; returns the actors of the campaigns they left.
    std::vector<caf::actor> forget_hosts(const std::vector<std::int64_t>& ids);

    /// Moves known hosts to `team_id` (unknown ids are skipped): their next
    /// config is their new team's, and their policies are due at their next
    /// check-in (the new team's are asked at once). Returns how many it knew.
    std::size_t set_team(const std::vector<std::int64_t>& ids, std::optional<std::int64_t> team_id);

    /// Seen times not yet written; clears the dirty marks.
    std::vector<std::pair<std::int64_t, micros>> take_seen();

    std::size_t size() const { return by_key_.size(); }
    const checkin_settings& settings() const { return settings_; }
    micros now() const { return settings_.clock(); }

private:
    host_entry* find(const std::string& node_key);
    /// The host with this id, or null.
    host_entry* find_id(std::int64_t id);
    const host_entry* find_id(std::int64_t id) const;
    /// Adds host `h`'s status at time `t` to `c`.
    static void count_into(host_counts& c, const host_entry& h, micros t);
    /// find(), marking the host seen now.
    host_entry* touch(const std::string& node_key);
    host_entry make_entry(const host& h) const;

    checkin_settings settings_;
    std::unordered_map<std::string, host_entry> by_key_;
    std::unordered_map<std::int64_t, std::string> key_of_id_;
    storage::query_catalog catalog_;
    bool catalog_loaded_ = false;
    std::uint32_t label_gen_ = 0, policy_gen_ = 0;        ///< the newest generations
    std::vector<std::uint32_t> label_gens_, policy_gens_; ///< parallel to catalog_
    std::unordered_map<std::int64_t, std::uint32_t> label_gen_of_, policy_gen_of_;
    campaign_directory campaigns_;
};

} // namespace flotilla::actors
