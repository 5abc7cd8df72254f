#pragma once
/// Hosts: the record osquery's detail queries fill in, the detail queries
/// themselves (Fleet's names and SQL), and host status (fleet-behaviour.md §4, §6).

#include "model/clock.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

struct host {
    std::int64_t id = 0;
    std::string osquery_host_id;
    std::string node_key;
    std::optional<std::int64_t> team_id;
    micros created_at = 0;
    micros updated_at = 0;
    micros detail_updated_at = 0;
    micros label_updated_at = 0;
    micros policy_updated_at = 0;
    micros last_enrolled_at = 0;
    micros seen_time = 0;
    bool refetch_requested = false;
    std::string hostname, uuid, platform, osquery_version, os_version, build, platform_like,
        code_name;
    std::int64_t uptime_ns = 0, memory = 0;
    std::string cpu_type, cpu_subtype, cpu_brand;
    std::int64_t cpu_physical_cores = 0, cpu_logical_cores = 0;
    std::string hardware_vendor, hardware_model, hardware_version, hardware_serial, computer_name;
    std::string primary_ip, primary_mac;
    std::int64_t distributed_interval = 0, config_tls_refresh = 0, logger_tls_period = 0;
};

/// One row of an osquery result: column → string value.
using result_row = std::map<std::string, std::string>;

/// A detail query: Fleet's name (without the fleet_detail_query_ prefix), its
/// SQL, and the platforms it runs on (empty: all).
struct detail_query {
    const char* name;
    const char* sql;
    std::vector<std::string> platforms;
};

/// The detail queries Flotilla asks for.
const std::vector<detail_query>& detail_queries();

/// Ingests one detail query's rows into `h`; returns false for an unknown name.
/// Malformed values are ignored (left as they were), never an error.
bool ingest_detail(host& h, const std::string& name, const std::vector<result_row>& rows);

/// Ingests enroll's host_details object ({"os_version": {...}, "osquery_info": ...}).
void ingest_enroll_details(host& h, const boost::json::object& details);

/// Fleet's platform family for policies: darwin, windows, linux, or "" (other).
std::string platform_family(const std::string& platform);

enum class host_status { online, offline, mia };

/// Fleet's status: online while seen within min(distributed_interval,
/// config_tls_refresh) + 60 s (a zero interval is unknown and does not count:
/// the other decides, and with both unknown the window is 60 s); missing in
/// action after 30 days; offline between.
host_status status_of(const host& h, micros now);
/// The same rule from its inputs: last seen, and the online window in seconds
/// (min(distributed_interval, config_tls_refresh) + 60).
host_status status_from(micros seen, std::int64_t online_window_s, micros now);
/// A host's online window in seconds.
std::int64_t online_window_s(const host& h);
/// New: created within the last 24 h (independent of the status).
bool is_new(const host& h, micros now);

/// Fleet's full Host object (the live query result's `host`).
boost::json::value to_json(const host& h);
/// The REST API's host (GET /hosts, /hosts/{id}): the Host object with its
/// status at `now`, display_text, team name and failing policy count.
boost::json::object host_response(const host& h, micros now,
                                  const std::optional<std::string>& team_name,
                                  std::int64_t failing_policies = 0);

} // namespace flotilla
