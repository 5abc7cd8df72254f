#pragma once
/// Policies and the policy spec (fleet-behaviour.md §3 Policies).

#include "model/clock.hpp"
#include "model/error.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

struct policy {
    std::int64_t id = 0;
    std::string name;
    std::string query;
    std::string description;
    std::string resolution;
    std::optional<std::int64_t> team_id;
    std::string platform; ///< comma list of darwin, windows, linux; "" = all
    std::optional<std::int64_t> author_id;
    std::string author_name;
    std::string author_email;
    std::int64_t passing_host_count = 0;
    std::int64_t failing_host_count = 0;
    micros created_at = 0;
    micros updated_at = 0;
};

struct policy_spec {
    std::string name;
    std::string query;
    std::string description;
    std::string resolution;
    std::string team; ///< team name; "" = global
    std::string platform;
};

/// Decodes `{"specs": [...]}`; wrong types are bad_request.
expected<std::vector<policy_spec>> decode_policy_specs(const boost::json::object& body);

/// Field errors (422) that need no store: empty name or query, ATTACH, bad platform.
std::vector<field_error> validate(const policy_spec& p);

/// Fleet's policy object (GET /global/policies).
boost::json::value to_json(const policy& p);

} // namespace flotilla
