#pragma once
/// Enroll secrets: global (no team) or bound to one team.

#include "model/clock.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace flotilla {

struct enroll_secret {
    std::string secret;
    micros created_at = 0;
    std::optional<std::int64_t> team_id;
};

/// `{"secret", "created_at"[, "team_id"]}` as Fleet serialises it.
boost::json::value to_json(const enroll_secret& s);

} // namespace flotilla
