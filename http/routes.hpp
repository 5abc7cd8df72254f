#pragma once
/// The route table (routes.cpp): every route of the REST API, the osquery
/// endpoints and the SockJS transports, one line each, saying how its path is
/// spelled, when it exists (the setup gate) and whether it needs a session.
/// api's constructor registers it; api::handle applies the gate and the
/// session from it, so no handler checks either by itself.

#include "http/api.hpp"

#include <functional>
#include <span>
#include <string_view>

namespace flotilla::http {

/// What a signed-in route runs once its session is checked: on the persistence
/// actor, with the viewer (service::authenticate).
using session_job = std::function<response(storage::store&, const viewer&)>;

/// A route anyone may call (agents, setup, login, the SockJS transports): it
/// answers by itself.
using open_fn = void (*)(api&, const request&, const path_params&, responder);

/// A signed-in route: decodes the request first (an error is answered before
/// authentication, as Fleet does) and returns the job to run with the viewer.
/// `reply` is for a job that answers later (it returns response::deferred()).
using session_fn = expected<session_job> (*)(api&, const request&, const path_params&,
                                             const responder& reply);

/// The spellings of a route's path, given as it is under /api/v1.
enum class spelled {
    v1,        ///< /api/v1/... only
    v1_latest, ///< /api/v1/... and /api/latest/... (current fleetctl speaks the latter)
    v1_api,    ///< /api/v1/osquery/... and osquery's older /api/osquery/...
    root,      ///< exactly as given, outside /api (/healthz)
};

/// Who may call a route.
struct route_handler {
    open_fn open = nullptr;       ///< anyone
    session_fn session = nullptr; ///< a signed-in user
    /// Also a user whose password reset an admin required (logout, the reset
    /// itself); every other signed-in route answers them 401 "password reset
    /// required", as Fleet does.
    bool during_reset = false;
};
constexpr route_handler anyone(open_fn f) {
    return {f, nullptr, false};
}
constexpr route_handler signed_in(session_fn f) {
    return {nullptr, f, false};
}
constexpr route_handler signed_in_resetting(session_fn f) {
    return {nullptr, f, true};
}

struct route_def {
    std::string_view method;
    std::string_view path; ///< without /api/v1 (but `root`), e.g. "/fleet/spec/labels/{name}"
    spelled spellings;
    gate when;
    route_handler handler;
};

/// Every route, in the order registered.
std::span<const route_def> route_table();

/// The full paths of a route, one per spelling.
std::vector<std::string> route_paths(const route_def& r);

} // namespace flotilla::http
