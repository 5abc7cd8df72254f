#pragma once
/// Accounts (fleet-behaviour.md §2): the first-run setup and signing in. The
/// password hash is computed, and verified, by the caller off the store's
/// thread (argon2id takes tens of milliseconds); these are the rules around it.

#include "model/app_config.hpp"
#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/user.hpp"

#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// POST /api/v1/setup.
struct setup_request {
    std::string server_url;
    org_info org;
    bool has_admin = false;
    std::string email, password, name; ///< email lower-cased
};

/// The field errors of a setup request (server URL, admin present, email,
/// password and name non-empty and within the length limit); empty when valid.
std::vector<field_error> validate_setup(const setup_request& s);

struct set_up_result {
    user admin;
    std::string token; ///< the admin's first session
};

/// In one transaction: the app config, the admin (global role admin) with
/// `password_hash`, a random global enroll secret and a session. Setup runs
/// once: with any user stored it is errc::route_not_found "404 page not found",
/// as Fleet's router answers once setup is done.
expected<set_up_result> set_up(storage::store& st, const setup_request& s,
                               const std::string& password_hash, micros now);

/// The user signing in as `email`; an unknown email is the same
/// errc::login_failed "Authentication failed" as a wrong password.
expected<user> login_user(storage::store& st, const std::string& email);

/// The same failure for every reason a login is refused.
error login_failed();

/// A new session for `u` signing in from `remote_address` (a user_logged_in
/// activity): returns the bearer token (only its digest is stored).
expected<std::string> open_session(storage::store& st, const user& u,
                                   const std::string& remote_address, micros now);

} // namespace flotilla::service
