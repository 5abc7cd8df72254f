/// GET/POST /api/v1/fleet/spec/queries, GET /spec/queries/{name} (§3 Queries),
/// also spelled /spec/reports (current Fleet's name, fleet-rest.md §8.2). The
/// name in GET /spec/queries/{name} is looked up once and twice decoded
/// (fleetctl escapes it twice: http/query_params.hpp name_candidates).

#include "http/query_params.hpp"
#include "http/spec_common.hpp"
#include "service/specs.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

namespace handlers {

expected<session_job> list_queries(api&, const request&, const path_params&, const responder&) {
    return session_job{[](storage::store& st, const viewer&) -> response {
        auto qs = st.saved_queries();
        if (!qs)
            return to_response(qs.err());
        bj::array specs;
        for (const auto& q : *qs)
            specs.push_back(to_spec_json(q));
        return response::json(200, bj::object{{"specs", std::move(specs)}});
    }};
}

expected<session_job> get_query(api&, const request&, const path_params& p, const responder&) {
    return session_job{
        [names = name_candidates(p.at("name"))](storage::store& st, const viewer&) -> response {
            auto q = first_found(names, [&](const std::string& n) { return st.query_by_name(n); });
            if (!q)
                return to_response(q.err());
            return response::json(200, bj::object{{"specs", to_spec_json(*q)}});
        }};
}

expected<session_job> apply_queries(api& a, const request& req, const path_params&,
                                    const responder&) {
    return decoded_job(req, decode_query_specs,
                       [&a](storage::store& st, const viewer& v,
                            const std::vector<query_spec>& specs) -> response {
                           return applied(service::apply_query_specs(st, v.u, specs, a.now()));
                       });
}

} // namespace handlers

} // namespace flotilla::http
