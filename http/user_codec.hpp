#pragma once
/// The request bodies of the users routes (fleet-rest.md §3). Malformed JSON or
/// a wrong type at a key is a bad_request; validation is the service's. Apart
/// from the handlers so they are unit-tested and fuzzed alone.

#include "model/error.hpp"
#include "service/users.hpp"

#include <string>
#include <string_view>

namespace flotilla::http {

/// POST /users/admin (`creating`: admin_forced_password_reset is read) and
/// PATCH /users/{id}.
expected<service::user_payload> decode_user_payload(std::string_view body, bool creating);

/// POST /change_password.
struct password_change {
    std::string old_password;
    std::string new_password;
};
expected<password_change> decode_password_change(std::string_view body);

/// POST /users/{id}/require_password_reset: `{"require": bool}` (absent: false).
expected<bool> decode_require_reset(std::string_view body);

/// POST /users/roles/spec: `{"spec":{"roles":{"<email>":{"global_role":...,"teams":[...]}}}}`.
expected<service::user_roles_spec> decode_user_roles_spec(std::string_view body);

} // namespace flotilla::http
