#pragma once
/// Users (fleet-rest.md §3; Fleet's source as read for this module:
/// tests/integration/fleet-notes/fleet-users.md): creating them as an admin, listing, reading,
/// modifying and deleting them, passwords and the user_roles spec. Password
/// hashing and verification (argon2id, tens of milliseconds) are the caller's,
/// off the store's thread: the rules here say when they are needed and take
/// their results.
///
/// Who may do what (Fleet's policy): any signed-in user reads users; a global
/// admin writes any user; a team admin writes users whose every role is on a
/// team they administer (and gives only such roles); anyone changes their own
/// name, email, position and password, never their own roles.

#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/team.hpp"
#include "model/user.hpp"
#include "service/listing.hpp"
#include "service/session.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// A team role as requests give it: a team id and a role word.
struct team_role_payload {
    std::int64_t team_id = 0;
    std::string role;
};

/// The fields of POST /users/admin and PATCH /users/{id}; nullopt = not sent.
struct user_payload {
    std::optional<std::string> name, email, position;
    std::optional<std::string> password;     ///< the new user's; on PATCH, the current one
    std::optional<std::string> new_password; ///< PATCH: the password to set
    std::optional<bool> sso_enabled, api_only, force_password_reset;
    bool has_global_role = false; ///< the key was sent (null clears the global role)
    std::optional<std::string> global_role;
    std::optional<std::vector<team_role_payload>> teams;
    bool has_invite_token = false;
};

/// POST /users/admin, before the password is hashed: the permission, the field
/// errors (422), roles and teams. Returns the user to insert, without hash.
expected<user> check_new_user(storage::store& st, const user& actor, const user_payload& p);

/// Inserts `u` (from check_new_user, with its password hash) and its team roles
/// in one transaction, recorded as `actor`'s created_user activity; a taken
/// email is already_exists (409).
expected<user> create_user(storage::store& st, const user& actor, user u, micros now);

/// The users `actor` may list: every user, filtered by `o.query` (name, email)
/// and `team_id`, ordered and paged.
expected<std::vector<user>> list_users(storage::store& st, const list_options& o,
                                       std::optional<std::int64_t> team_id);

/// What a PATCH needs done off the store's thread before it can be applied.
struct user_change_plan {
    user target;
    bool verify_password = false; ///< own email change: `password` must match target's hash
};

/// PATCH /users/{id}, before any hashing: permission, field errors, whether the
/// current password must be checked.
expected<user_change_plan> plan_user_change(storage::store& st, const viewer& v, std::int64_t id,
                                            const user_payload& p);

/// Applies a planned change (re-checked against the stored user), with the new
/// password's hash when `new_password` was sent. A password set by someone else
/// ends every session of the user; one set by the user ends their others.
expected<user> apply_user_change(storage::store& st, const viewer& v, std::int64_t id,
                                 const user_payload& p,
                                 const std::optional<std::string>& new_password_hash, micros now);

/// DELETE /users/{id}: the user and their sessions (a deleted_user activity).
/// A global admin deletes anyone, a team admin users of their teams only, and
/// anyone themselves; never the last global admin.
expected<void> delete_user(storage::store& st, const user& actor, std::int64_t id, micros now);

/// POST /perform_required_password_reset: a user whose reset an admin required
/// sets a new password (not the current one: the caller verified that) and the
/// flag clears. Anyone else is forbidden.
expected<user> perform_required_reset(storage::store& st, const viewer& v,
                                      const std::string& new_hash, micros now);

/// Fleet's password rules (at least 7 bytes, a digit, a punctuation or symbol
/// character): the field error for `field`, if any.
std::optional<field_error> password_rule_error(const std::string& field,
                                               const std::string& password);

/// POST /change_password before hashing: both fields present, the new one by
/// the rules. (The old one is verified off-thread by the caller.)
std::vector<field_error> validate_password_change(const std::string& old_password,
                                                  const std::string& new_password);

/// Stores the new hash, clears a forced reset, and ends the user's other sessions.
expected<void> change_password(storage::store& st, const viewer& v, const std::string& new_hash,
                               micros now);

/// POST /users/{id}/require_password_reset: sets or clears the flag; setting it
/// ends the user's sessions.
expected<user> require_password_reset(storage::store& st, const user& actor, std::int64_t id,
                                      bool require, micros now);

/// The user_roles spec (fleetctl `kind: user_roles`): by email, a global role
/// (or null) and team roles by team name.
struct user_roles_spec {
    struct team_entry {
        std::string team;
        std::string role;
    };
    struct entry {
        std::optional<std::string> global_role;
        std::vector<team_entry> teams;
    };
    std::map<std::string, entry> roles; ///< email → roles
};

/// Applies every entry in one transaction (global admin only); an unknown
/// email, team or role is invalid_argument naming it and writes nothing.
expected<void> apply_user_roles(storage::store& st, const user& actor, const user_roles_spec& s,
                                micros now);

/// The teams `u` may pick in the UI (`available_teams`): every team for a
/// global user, else the user's own.
expected<std::vector<team>> available_teams(storage::store& st, const user& u);

/// Whether `actor` may read `id`'s sessions or end them (admins and the user).
bool may_manage_sessions(const user& actor, std::int64_t id);

} // namespace flotilla::service
