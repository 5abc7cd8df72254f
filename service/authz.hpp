#pragma once
/// Permissions (fleet-behaviour.md §2): predicates over a user's global role
/// and team roles. Handlers ask these and return `forbidden()` when denied.

#include "model/error.hpp"
#include "model/user.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace flotilla::service::authz {

/// The user's global role is one of `roles`.
bool global_role_in(const user& u, std::initializer_list<role> roles);
/// The user holds one of `roles` on at least one team.
bool any_team_role_in(const user& u, std::initializer_list<role> roles);
/// The user holds one of `roles` on `team_id`, or globally.
bool role_on_team_in(const user& u, std::int64_t team_id, std::initializer_list<role> roles);
/// The teams whose hosts `u` may see: nullopt for a global user (every host),
/// else the teams `u` holds any role on.
std::optional<std::vector<std::int64_t>> visible_teams(const user& u);
/// Whether `u` may see a host of team `team_id` (nullopt: no team).
bool sees_host(const user& u, std::optional<std::int64_t> team_id);

/// Global admin or maintainer: may write instance-wide specs.
bool global_writer(const user& u);

/// Fleet's 403 body.
error forbidden();

} // namespace flotilla::service::authz
