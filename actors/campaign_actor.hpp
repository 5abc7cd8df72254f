#pragma once
/// Design: one actor per live-query campaign owns its targets, result counts,
/// subscribers and every result so far (bounded), so a subscriber that attaches
/// late gets everything, several subscribers each get every result, and no
/// socket class knows the streaming rules. The 60-second rule is this actor's
/// own delayed message, which traffic cannot reset (an idle timeout would be).

#include "model/campaign.hpp"
#include "model/clock.hpp"

#include <algorithm>
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::actors {

/// Results kept for replay to subscribers that attach late; past either bound
/// the oldest are dropped (live subscribers still get every result, the totals
/// stay exact, and a late subscriber is told the replay is truncated).
inline constexpr std::size_t max_buffered_results = 100'000;
/// The replay buffer's bound in bytes (serialised results).
inline constexpr std::size_t max_buffered_bytes = 64 * 1024 * 1024;

struct campaign_settings {
    /// No subscriber by then: the campaign is cancelled.
    std::chrono::milliseconds subscribe_timeout{60'000};
    /// Totals and status are recomputed this often and re-sent when changed.
    std::chrono::milliseconds tick{5'000};
    /// The replay buffer's bounds (tests make them small).
    std::size_t max_replay_results = max_buffered_results;
    std::size_t max_replay_bytes = max_buffered_bytes;
};

/// The streaming rules, callable without an actor: each returns the messages
/// (serialised JSON) to send, to every subscriber or to one.
class campaign_state {
public:
    static inline const char* name = "campaign";

    void init(campaign c, std::vector<std::int64_t> hosts, host_counts initial,
              std::size_t max_replay_results = max_buffered_results,
              std::size_t max_replay_bytes = max_buffered_bytes);
    /// A host's answer: the `result` message, then `status` when it changed.
    std::vector<std::string> on_result(const campaign_result& r);
    /// New counts from the registry: `totals` and `status` when they changed.
    std::vector<std::string> on_counts(const host_counts& c);
    /// What a new subscriber is sent first: totals (unless all zero), status,
    /// an `error` saying how many results are not replayed (when the buffer
    /// dropped any), then every result still buffered.
    std::vector<std::string> on_subscribe();
    /// Deleted hosts are no longer targets (the counts that follow drop them).
    void remove_hosts(const std::vector<std::int64_t>& ids) { erase_ids(hosts_, ids); }
    /// Frees the replay buffer (the campaign has ended); returns the bytes freed.
    std::size_t release();

    const campaign& info() const { return c_; }
    const std::vector<std::int64_t>& hosts() const { return hosts_; }
    std::int64_t actual() const { return actual_; }
    std::size_t buffered_bytes() const { return history_bytes_; }
    std::size_t buffered_results() const { return history_.size(); }
    bool finished() const { return finished_; }

private:
    std::optional<std::string> status_if_changed();
    std::optional<std::string> totals_if_changed();

    campaign c_;
    std::vector<std::int64_t> hosts_;
    host_counts counts_;
    host_counts sent_totals_; ///< all zeros at first: zeros are never sent
    std::int64_t actual_ = 0;
    bool finished_ = false;
    std::optional<std::tuple<std::int64_t, std::int64_t, bool>> sent_status_;
    std::deque<std::string> history_;
    std::size_t history_bytes_ = 0;
    std::size_t max_results_ = max_buffered_results, max_bytes_ = max_buffered_bytes;
    std::int64_t dropped_ = 0; ///< results no longer replayed
};

/// Spawns a campaign's actor (the registry does, as the campaign directory).
caf::actor spawn_campaign(caf::actor_system& sys, campaign c, std::vector<std::int64_t> hosts,
                          host_counts initial, caf::actor registry, caf::actor persistence,
                          campaign_settings settings);

} // namespace flotilla::actors
