/// POST /api/v1/fleet/queries/run and /queries/run_by_names (fleet-behaviour.md §4),
/// and current fleetctl's /reports/run_by_identifiers (hosts by hostname, uuid or
/// serial; fleet-rest.md §8.1).

#include "actors/messages.hpp"
#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/rest_codec.hpp"
#include "model/json.hpp"
#include "service/live_query.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

namespace flotilla::http {
namespace {

namespace bj = boost::json;

/// How a run's `selected` names its targets.
enum class targets { by_id, by_name, by_identifier };

expected<session_job> start(api& a, const request& req, const responder& reply, targets how) {
    const bool by_names = how != targets::by_id;
    auto decoded = decode_run(req.body, by_names);
    if (!decoded)
        return decoded.err();
    decoded->selected.hosts_by_identifier = how == targets::by_identifier;
    return session_job{[&a, by_names, run = std::move(*decoded),
                        reply](storage::store& st, const viewer& v) -> response {
        auto started = service::start_live_query(
            st, v.u, {run.sql, run.query_id, run.selected, by_names}, a.now());
        if (!started)
            return to_response(started.err());
        auto registry = a.registry();
        if (!registry)
            return to_response(error::backend("the live query service is shutting down"));
        const campaign c = started->c;
        caf::anon_send(
            registry,
            actors::start_campaign_msg{
                c, std::move(started->sql), std::move(started->host_ids),
                [reply, c](host_counts m) {
                    reply(response::json(200, bj::object{{"campaign", campaign_json(c, m)}}));
                }});
        return response::deferred(); // the registry answers with the metrics
    }};
}

} // namespace

expected<session_job> handlers::run(api& a, const request& req, const path_params&,
                                    const responder& reply) {
    return start(a, req, reply, targets::by_id);
}

expected<session_job> handlers::run_by_names(api& a, const request& req, const path_params&,
                                             const responder& reply) {
    return start(a, req, reply, targets::by_name);
}

expected<session_job> handlers::run_by_identifiers(api& a, const request& req, const path_params&,
                                                   const responder& reply) {
    return start(a, req, reply, targets::by_identifier);
}

} // namespace flotilla::http
