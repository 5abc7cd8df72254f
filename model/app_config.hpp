#pragma once
/// The instance-wide configuration written by setup: org info, server URL and
/// the global agent options served to osquery.

#include "model/error.hpp"

#include <boost/json/value.hpp>
#include <string>

namespace flotilla {

struct org_info {
    std::string org_name;
    std::string org_logo_url;
};

struct app_config {
    org_info org;
    std::string server_url;
    boost::json::value agent_options; ///< Fleet's agent options object
};

/// Fleet's agent options for a new install (fleet-behaviour.md §6).
boost::json::value default_agent_options();

/// Setup's server_url rule: required, https unless the host names localhost.
/// Returns the field errors (empty when valid).
std::vector<field_error> validate_server_url(const std::string& url);

boost::json::value to_json(const org_info& o);

} // namespace flotilla
