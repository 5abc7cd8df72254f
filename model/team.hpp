#pragma once
/// Teams and the team spec (fleet-behaviour.md §3 Teams).

#include "model/clock.hpp"
#include "model/error.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

struct team {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    /// The team's agent options; nullopt means "use the global ones".
    std::optional<boost::json::value> agent_options;
    micros created_at = 0;
};

struct team_spec {
    std::string name;
    /// nullopt when the key was absent (new team: copy of the global options;
    /// existing team: cleared).
    std::optional<boost::json::value> agent_options;
    std::vector<std::string> secrets;
};

/// Decodes `{"specs": [...]}`; wrong types are bad_request.
expected<std::vector<team_spec>> decode_team_specs(const boost::json::object& body);

/// Field errors (422): empty name, empty secret, agent_options not an object.
std::vector<field_error> validate(const team_spec& t);

} // namespace flotilla
