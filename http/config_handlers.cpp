/// GET and PATCH /api/v1/fleet/config (fleet-rest.md §2): the whole AppConfig
/// with its read-only blocks; PATCH merges (model/app_config.hpp) and answers
/// with the config as it now is, or as it would be with `?dry_run=true`.

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/query_params.hpp"
#include "model/json.hpp"
#include "service/app_config.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace {

response config_response(const api& a, const expected<app_config>& cfg) {
    if (!cfg)
        return to_response(cfg.err());
    return response::json(200, enriched_app_config(*cfg, a.facts()));
}

} // namespace

expected<session_job> handlers::get_config(api& a, const request&, const path_params&,
                                           const responder&) {
    return session_job{[&a](storage::store& st, const viewer&) {
        return config_response(a, service::current_app_config(st));
    }};
}

expected<session_job> handlers::modify_config(api& a, const request& req, const path_params&,
                                              const responder&) {
    auto params = query_params::of(req.target);
    if (!params)
        return params.err();
    auto dry_run = params->flag("dry_run");
    if (!dry_run)
        return dry_run.err();
    auto force = params->flag("force");
    if (!force)
        return force.err();
    auto body = json::parse_object(req.body);
    if (!body)
        return body.err();
    return session_job{[&a, patch = std::move(*body), dry = *dry_run,
                        force = *force](storage::store& st, const viewer& v) {
        return config_response(a, service::modify_app_config(st, v.u, patch, dry, force));
    }};
}

} // namespace flotilla::http
