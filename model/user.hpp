#pragma once
/// Users, their roles and sessions.

#include "model/clock.hpp"
#include "model/error.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla {

/// A role, globally or on one team.
enum class role { admin, maintainer, observer };

std::string_view to_string(role r);
std::optional<role> role_from_string(std::string_view s);

/// A user's role on one team.
struct team_role {
    std::int64_t team_id = 0;
    std::string team_name;
    std::string team_description;
    role team_role_value = role::observer;
};

/// A Fleet user. `password_hash` never leaves the server.
struct user {
    std::int64_t id = 0;
    micros created_at = 0;
    micros updated_at = 0;
    std::string name;
    std::string email;
    std::string password_hash;
    std::string position;
    std::string gravatar_url;
    bool force_password_reset = false;
    bool sso_enabled = false;
    bool api_only = false;
    std::optional<role> global_role;
    std::vector<team_role> teams;
};

/// Fleet's user object.
boost::json::value to_json(const user& u);

/// A login session; the token itself is never stored, only its digest.
struct session {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string key_digest;
    micros created_at = 0;
    micros accessed_at = 0;
};

/// Sessions expire after this long without use.
inline constexpr micros session_idle_lifetime = seconds_to_micros(24 * 3600);

} // namespace flotilla
