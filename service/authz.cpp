#include "service/authz.hpp"

#include <algorithm>

namespace flotilla::service::authz {

bool global_role_in(const user& u, std::initializer_list<role> roles) {
    return u.global_role && std::find(roles.begin(), roles.end(), *u.global_role) != roles.end();
}

bool any_team_role_in(const user& u, std::initializer_list<role> roles) {
    return std::any_of(u.teams.begin(), u.teams.end(), [&](const team_role& t) {
        return std::find(roles.begin(), roles.end(), t.team_role_value) != roles.end();
    });
}

bool role_on_team_in(const user& u, std::int64_t team_id, std::initializer_list<role> roles) {
    if (global_role_in(u, roles))
        return true;
    return std::any_of(u.teams.begin(), u.teams.end(), [&](const team_role& t) {
        return t.team_id == team_id &&
               std::find(roles.begin(), roles.end(), t.team_role_value) != roles.end();
    });
}

bool global_writer(const user& u) {
    return global_role_in(u, {role::admin, role::maintainer});
}

std::optional<std::vector<std::int64_t>> visible_teams(const user& u) {
    if (u.global_role)
        return std::nullopt;
    std::vector<std::int64_t> teams;
    for (const auto& t : u.teams)
        teams.push_back(t.team_id);
    return teams;
}

bool sees_host(const user& u, std::optional<std::int64_t> team_id) {
    if (u.global_role)
        return true;
    return team_id && std::any_of(u.teams.begin(), u.teams.end(),
                                  [&](const team_role& t) { return t.team_id == *team_id; });
}

error forbidden() {
    return {errc::permission_denied, "forbidden", {}};
}

} // namespace flotilla::service::authz
