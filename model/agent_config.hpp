#pragma once
/// The config osquery fetches from /api/v1/osquery/config (fleet-behaviour.md §6):
/// the agent options' `config` (or its platform override) with the packs that
/// apply to the host, in osquery's pack format.

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

struct host_pack_query {
    std::string name;
    std::string sql;
    std::int64_t interval = 0;
    std::optional<bool> snapshot, removed, denylist;
    std::optional<std::int64_t> shard;
    std::optional<std::string> platform, version;
};

struct host_pack {
    std::string name;
    std::string platform;
    std::vector<host_pack_query> queries;
};

/// The check-in intervals agent options give a host on `platform` (its platform
/// override's options, else config.options), in seconds; 0 where unset or not a
/// whole number from 1 to 2^31-1.
struct agent_intervals {
    std::int64_t distributed = 0;
    std::int64_t config_tls_refresh = 0;
};
agent_intervals configured_intervals(const boost::json::value& agent_options,
                                     const std::string& platform);

/// Builds the config object served to a host on `platform`.
boost::json::value build_agent_config(const boost::json::value& agent_options,
                                      const std::string& platform,
                                      const std::vector<host_pack>& packs);

} // namespace flotilla
