/// GET /api/v1/fleet/version (signed in: Flotilla's version, branch, revision and
/// build) and GET /api/v1/fleet/sso (open: SSO is off; the config's IdP name and
/// image are shown as Fleet shows them), and GET /api/v1/fleet/activities (the
/// feed, with current Fleet's `meta`).

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/query_params.hpp"
#include "model/build_info.hpp"
#include "service/activities.hpp"
#include "service/app_config.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

expected<session_job> handlers::version(api&, const request&, const path_params&,
                                        const responder&) {
    return session_job{[](storage::store&, const viewer&) {
        const auto& b = this_build();
        return response::json(200, bj::object{{"version", b.version},
                                              {"branch", b.branch},
                                              {"revision", b.revision},
                                              {"go_version", b.compiler},
                                              {"build_date", b.build_date},
                                              {"build_user", "flotilla"}});
    }};
}

void handlers::sso_settings(api& a, const request&, const path_params&, responder reply) {
    a.with_store(std::move(reply), [](storage::store& st) {
        auto cfg = service::current_app_config(st);
        if (!cfg)
            return to_response(cfg.err());
        const auto& sso = cfg->doc.at("sso_settings").as_object();
        auto text = [&](const char* key) {
            const auto* v = sso.if_contains(key);
            return v && v->is_string() ? v->get_string() : bj::string();
        };
        return response::json(
            200, bj::object{{"settings", bj::object{{"idp_name", text("idp_name")},
                                                    {"idp_image_url", text("idp_image_url")},
                                                    {"sso_enabled", false}}}});
    });
}

expected<session_job> handlers::list_activities(api&, const request& req, const path_params&,
                                                const responder&) {
    auto q = query_params::of(req.target);
    if (!q)
        return q.err();
    auto o = q->list_options();
    if (!o)
        return o.err();
    return session_job{[o = std::move(*o)](storage::store& st, const viewer&) -> response {
        auto page = service::list_activities(st, o);
        if (!page)
            return to_response(page.err());
        bj::array out;
        for (const auto& a : page->activities)
            out.push_back(to_json(a));
        return response::json(
            200, bj::object{{"activities", std::move(out)},
                            {"meta", bj::object{{"has_next_results", page->has_next},
                                                {"has_previous_results", page->has_previous}}}});
    }};
}

} // namespace flotilla::http
