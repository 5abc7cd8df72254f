#pragma once
/// Sessions: the one rule that turns a bearer token into a signed-in user, used
/// by the REST API and by the results stream's `auth` message alike
/// (fleet-behaviour.md §2).

#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/user.hpp"

#include <string_view>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// Who is asking: the signed-in user and the session that says so.
struct viewer {
    user u;
    session s;
};

/// The user behind `token` at `now`. The token's digest is looked up and
/// compared in constant time; a session idle for longer than
/// session_idle_lifetime is deleted and refused; a session in use is touched at
/// most once a minute (so reads stay reads). An empty, unknown, mismatched or
/// expired token is errc::bad_token "Authentication required"; a store fault is
/// passed on as it is.
expected<viewer> authenticate(storage::store& st, std::string_view token, micros now);

/// Whether `u` must set a new password before anything but logging out
/// (an admin required it; never for SSO users, as in Fleet).
inline bool reset_required(const user& u) {
    return u.force_password_reset && !u.sso_enabled;
}

} // namespace flotilla::service
