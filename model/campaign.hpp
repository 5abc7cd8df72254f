#pragma once
/// Live query campaigns (fleet-behaviour.md §4, §5): the campaign, its target
/// selection, the Metrics of the creation response, and the stream messages.

#include "model/clock.hpp"
#include "model/host.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

/// 0 waiting, 1 running, 2 complete.
enum class campaign_status : std::int64_t { waiting = 0, running = 1, complete = 2 };

struct campaign {
    std::int64_t id = 0;
    std::int64_t query_id = 0;
    campaign_status status = campaign_status::waiting;
    std::int64_t user_id = 0;
    micros created_at = 0;
};

/// What a run request selected, by id (queries/run) or by name (run_by_names).
struct target_selection {
    std::vector<std::int64_t> host_ids, label_ids, team_ids;
    std::vector<std::string> hostnames, label_names;
    /// `hostnames` also match a host's uuid or hardware serial (current fleetctl's
    /// run_by_identifiers).
    bool hosts_by_identifier = false;
};

/// Host counts by status; `TotalHosts = online + offline + missing_in_action`.
struct host_counts {
    std::int64_t total = 0, online = 0, offline = 0, missing_in_action = 0, new_hosts = 0;
    bool operator==(const host_counts&) const = default;
    /// Counts one host of status `s` (new or not) into the totals.
    void add(host_status s, bool is_new);
};

/// The creation response's campaign object: PascalCase Metrics, zero timestamps.
boost::json::value campaign_json(const campaign& c, const host_counts& m);

/// Removes every id in `ids` from `hosts`, keeping the others' order. Sorts a copy of
/// `ids` and searches it: a campaign may target a million hosts while a bulk delete
/// removes thousands, so never one pass over `ids` per host.
void erase_ids(std::vector<std::int64_t>& hosts, std::vector<std::int64_t> ids);

/// `{"type":"totals","data":{"count","online","offline","missing_in_action"}}`
boost::json::value totals_message(const host_counts& m);
/// `{"type":"status","data":{"expected_results","actual_results","status"}}`
boost::json::value status_message(std::int64_t expected, std::int64_t actual, bool finished);
/// `{"type":"error","data":"<text>"}`
boost::json::value error_message(const std::string& text);

/// One host's answer, as the stream's `result` data.
struct campaign_result {
    std::int64_t campaign_id = 0;
    std::int64_t host_id = 0;
    std::string hostname;
    std::string platform;
    std::vector<std::vector<std::pair<std::string, std::string>>> rows;
    std::optional<std::string> error;
};

/// `{"type":"result","data":{"distributed_query_execution_id","host","rows","error"}}`;
/// every row gains `host_hostname`.
boost::json::value result_message(const campaign_result& r);

} // namespace flotilla
