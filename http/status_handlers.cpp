/// GET /healthz (no session; 200 with an empty body, or 500 naming the fault)
/// and GET /api/v1/fleet/status/live_query and /status/result_store: 200 {} when
/// the store answers and the live query machinery (the host registry, which is
/// also the campaign directory) answers within a deadline; otherwise the fault
/// named in the envelope (403 "disabled by administrator" for live_query while
/// server_settings.live_query_disabled is set): 503 while the store is unavailable (down or
/// reconnecting; the token check needs the store too, so that answers first),
/// 500 for any other fault.

#include "actors/messages.hpp"
#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "service/app_config.hpp"

#include <caf/all.hpp>

namespace flotilla::http {
namespace {

/// How long the live query machinery may take to answer a health check.
constexpr std::chrono::seconds health_deadline{5};

} // namespace

namespace {

/// Answers `reply` with `healthy` when the store answers and the live query
/// machinery (the host registry, also the campaign directory) answers within
/// the deadline, else with the fault: `as_500` makes every fault a 500 (healthz),
/// otherwise the store being unavailable is its 503.
response check_health(api& a, storage::store& st, const responder& reply, response healthy,
                      bool as_500) {
    auto fault = [as_500](errc code, std::string why) {
        return to_response({as_500 ? errc::backend_failure : code, std::move(why), {}});
    };
    if (auto ok = st.ping(); !ok)
        return fault(ok.err().code == errc::unavailable ? errc::unavailable : errc::backend_failure,
                     "the store is not answering: " + ok.err().message);
    auto registry = a.registry();
    if (!registry)
        return fault(errc::backend_failure, "the live query service is not running");
    // A short-lived actor asks with a deadline, so no thread waits.
    a.system().spawn([registry, reply, healthy = std::move(healthy)](caf::event_based_actor* self) {
        self->request(registry, health_deadline, actors::counts_msg{})
            .then([reply, healthy](host_counts) { reply(healthy); },
                  [reply](caf::error& e) {
                      reply(to_response(error::backend("the live query service is not answering: " +
                                                       caf::to_string(e))));
                  });
    });
    return response::deferred();
}

} // namespace

expected<session_job> handlers::status(api& a, const request& req, const path_params&,
                                       const responder& reply) {
    const bool live_query = target_path(req.target).ends_with("/live_query");
    return session_job{[&a, reply, live_query](storage::store& st, const viewer&) -> response {
        // Disabled live queries are refused; a store fault is check_health's to name.
        if (live_query)
            if (auto allowed = service::live_queries_allowed(st);
                !allowed && allowed.err().code == errc::permission_denied)
                return to_response(allowed.err());
        return check_health(a, st, reply, response::empty_object(), false);
    }};
}

void handlers::healthz(api& a, const request&, const path_params&, responder reply) {
    a.with_store(reply, [&a, reply](storage::store& st) {
        response healthy;
        healthy.content_type = "text/plain; charset=utf-8";
        return check_health(a, st, reply, std::move(healthy), true);
    });
}

} // namespace flotilla::http
