#pragma once
/// Test builders: users with roles and a ready session, hosts.

#include "storage/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace flotilla::testing {

/// Creates a user with `global_role` and `teams` (team ids and roles) directly in
/// the store, with a session; returns the session token.
std::string make_user_with_token(storage::store& st, const std::string& email,
                                 std::optional<role> global_role,
                                 const std::vector<std::pair<std::int64_t, role>>& teams = {});

/// The id of a team created by a team spec with that name.
std::int64_t make_team(storage::store& st, const std::string& name);

} // namespace flotilla::testing
