/// GET /api/v1/fleet/status/live_query and /status/result_store: 200 {} when
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

expected<session_job> handlers::status(api& a, const request& req, const path_params&,
                                       const responder& reply) {
    const bool live_query = target_path(req.target).ends_with("/live_query");
    return session_job{[&a, reply, live_query](storage::store& st, const viewer&) -> response {
        if (auto ok = st.ping(); !ok)
            return to_response(
                {ok.err().code == errc::unavailable ? errc::unavailable : errc::backend_failure,
                 "the store is not answering: " + ok.err().message,
                 {}});
        if (live_query)
            if (auto allowed = service::live_queries_allowed(st); !allowed)
                return to_response(allowed.err());
        auto registry = a.registry();
        if (!registry)
            return to_response(error::backend("the live query service is not running"));
        // A short-lived actor asks with a deadline, so no thread waits.
        a.system().spawn([registry, reply](caf::event_based_actor* self) {
            self->request(registry, health_deadline, actors::counts_msg{})
                .then([reply](host_counts) { reply(response::empty_object()); },
                      [reply](caf::error& e) {
                          reply(to_response(error::backend(
                              "the live query service is not answering: " + caf::to_string(e))));
                      });
        });
        return response::deferred();
    }};
}

} // namespace flotilla::http
