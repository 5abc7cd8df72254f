/// GET /api/v1/fleet/status/live_query and /status/result_store: 200 {} while
/// the store answers (the live-query machinery is checked here as it grows).

#include "http/api.hpp"
#include "http/errors.hpp"

namespace flotilla::http {
namespace {

void handle_status(api& a, const request& req, responder reply) {
    a.authenticated(req, std::move(reply), [](storage::store& st, const viewer&) -> response {
        if (auto ok = st.ping(); !ok)
            return to_response(ok.err());
        return response::empty_object();
    });
}

} // namespace

void add_status_routes(api& a, router& r) {
    r.add("GET", "/api/v1/fleet/status/live_query",
          [&a](auto& req, auto&, auto reply) { handle_status(a, req, reply); });
    r.add("GET", "/api/v1/fleet/status/result_store",
          [&a](auto& req, auto&, auto reply) { handle_status(a, req, reply); });
}

} // namespace flotilla::http
