#pragma once
/// The request bodies of the REST handlers that are not specs: setup, login,
/// live query runs and the enroll secret spec. Apart from the handlers (which
/// need the actors and the store) so they are unit-tested and fuzzed alone.

#include "model/app_config.hpp"
#include "model/campaign.hpp"
#include "model/error.hpp"
#include "service/accounts.hpp"

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::http {

/// POST /api/v1/setup (the request type is the service's).
using service::setup_request;

/// Malformed JSON or a wrong type at a key is a bad_request; validation is the handler's.
expected<setup_request> decode_setup(std::string_view body);

/// POST /api/v1/fleet/login: keys match case-insensitively (as Go's JSON decoding
/// does); a missing or non-string value reads as "".
struct login_request {
    std::string email; ///< lower-cased
    std::string password;
};

/// Only malformed JSON (or a body that is not an object) is a bad_request.
expected<login_request> decode_login(std::string_view body);

/// POST /api/v1/fleet/queries/run and run_by_names.
struct run_request {
    std::optional<std::string> sql;
    std::optional<std::int64_t> query_id;
    target_selection selected;
};

/// `selected` holds ids (`hosts`, `labels`, `teams`), or names (`hosts`,
/// `labels`) when `by_names`; a wrong type anywhere is a bad_request.
expected<run_request> decode_run(std::string_view body, bool by_names);

/// `{"spec": {"secrets": [{"secret": "..."}]}}`; a missing `spec` is a bad request.
expected<std::vector<std::string>> decode_enroll_secrets(const boost::json::object& body);

} // namespace flotilla::http
