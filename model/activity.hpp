#pragma once
/// Activities (fleet-rest.md §7.5): what users did, as Fleet's activity feed
/// shows it. The actor's name and email are kept on the row, so an activity
/// outlives its user (whose id then reads null).

#include "model/clock.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace flotilla {

struct activity {
    std::int64_t id = 0;
    micros created_at = 0;
    std::optional<std::int64_t> actor_id; ///< nullopt once the user is deleted
    std::string actor_name;
    std::string actor_email;
    std::optional<std::string> actor_gravatar; ///< nullopt once the user is deleted
    std::string type;                          ///< Fleet's type names (created_saved_query, ...)
    boost::json::value details;                ///< an object
};

/// Fleet's activity object: created_at, id, actor_full_name, actor_id,
/// actor_gravatar, actor_email, type, details.
boost::json::value to_json(const activity& a);

} // namespace flotilla
