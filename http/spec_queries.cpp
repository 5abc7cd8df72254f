/// GET/POST /api/v1/fleet/spec/queries, GET /spec/queries/{name} (§3 Queries).

#include "http/authz.hpp"
#include "http/spec_common.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

void list_queries(api& a, const request& req, responder reply) {
    a.authenticated(req, std::move(reply), [](storage::store& st, const viewer&) -> response {
        auto qs = st.saved_queries();
        if (!qs)
            return to_response(qs.err());
        bj::array specs;
        for (const auto& q : *qs)
            specs.push_back(to_spec_json(q));
        return response::json(200, bj::object{{"specs", std::move(specs)}});
    });
}

void get_query(api& a, const request& req, const path_params& p, responder reply) {
    a.authenticated(req, std::move(reply),
                    [name = p.at("name")](storage::store& st, const viewer&) -> response {
                        auto q = st.query_by_name(name);
                        if (!q)
                            return to_response(q.err());
                        return response::json(200, bj::object{{"specs", to_spec_json(*q)}});
                    });
}

void apply_queries(api& a, const request& req, responder reply) {
    decoded_and_authenticated(
        a, req, std::move(reply), decode_query_specs,
        [&a](storage::store& st, const viewer& v,
             const std::vector<query_spec>& specs) -> response {
            if (!authz::global_writer(v.u) &&
                !authz::any_team_role_in(v.u, {role::admin, role::maintainer}))
                return to_response(authz::forbidden());
            if (auto invalid = validate_all(specs))
                return to_response(*invalid);
            return applied(st.apply_query_specs(specs, v.u.id, a.now()));
        });
}

} // namespace

void add_query_spec_routes(api& a, router& r) {
    r.add("GET", "/api/v1/fleet/spec/queries",
          [&a](auto& req, auto&, auto reply) { list_queries(a, req, reply); });
    r.add("POST", "/api/v1/fleet/spec/queries",
          [&a](auto& req, auto&, auto reply) { apply_queries(a, req, reply); });
    r.add("GET", "/api/v1/fleet/spec/queries/{name}",
          [&a](auto& req, auto& p, auto reply) { get_query(a, req, p, reply); });
}

} // namespace flotilla::http
