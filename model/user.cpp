#include "model/user.hpp"

#include <boost/json.hpp>

namespace flotilla {

std::string_view to_string(role r) {
    switch (r) {
    case role::admin:
        return "admin";
    case role::maintainer:
        return "maintainer";
    case role::observer:
        return "observer";
    }
    return "observer";
}

std::optional<role> role_from_string(std::string_view s) {
    if (s == "admin")
        return role::admin;
    if (s == "maintainer")
        return role::maintainer;
    if (s == "observer")
        return role::observer;
    return std::nullopt;
}

boost::json::value to_json(const user& u) {
    boost::json::object o;
    o["created_at"] = format_rfc3339(u.created_at);
    o["updated_at"] = format_rfc3339(u.updated_at);
    o["id"] = u.id;
    o["name"] = u.name;
    o["email"] = u.email;
    o["force_password_reset"] = u.force_password_reset;
    o["gravatar_url"] = u.gravatar_url;
    if (!u.position.empty())
        o["position"] = u.position;
    o["sso_enabled"] = u.sso_enabled;
    if (u.global_role)
        o["global_role"] = to_string(*u.global_role);
    else
        o["global_role"] = nullptr;
    o["api_only"] = u.api_only;
    boost::json::array teams;
    for (const auto& t : u.teams) {
        boost::json::object team;
        team["id"] = t.team_id;
        team["name"] = t.team_name;
        team["description"] = t.team_description;
        team["role"] = to_string(t.team_role_value);
        teams.push_back(std::move(team));
    }
    o["teams"] = std::move(teams);
    return o;
}

} // namespace flotilla
