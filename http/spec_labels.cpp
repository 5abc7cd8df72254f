/// GET/POST /api/v1/fleet/spec/labels, GET /spec/labels/{name} (§3 Labels).

#include "http/query_params.hpp"
#include "http/spec_common.hpp"
#include "service/specs.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

namespace handlers {

expected<session_job> list_labels(api&, const request&, const path_params&, const responder&) {
    return session_job{[](storage::store& st, const viewer&) -> response {
        auto labels = st.label_specs();
        if (!labels)
            return to_response(labels.err());
        bj::array specs;
        for (const auto& l : *labels)
            specs.push_back(to_json(l));
        return response::json(200, bj::object{{"specs", std::move(specs)}});
    }};
}

expected<session_job> get_label(api&, const request&, const path_params& p, const responder&) {
    return session_job{[names = name_candidates(p.at("name"))](storage::store& st,
                                                               const viewer&) -> response {
        auto l = first_found(names, [&](const std::string& n) { return st.label_spec_by_name(n); });
        if (!l)
            return to_response(l.err());
        return response::json(200, bj::object{{"specs", to_json(*l)}});
    }};
}

expected<session_job> apply_labels(api& a, const request& req, const path_params&,
                                   const responder&) {
    return decoded_job(req, decode_label_specs,
                       [&a](storage::store& st, const viewer& v,
                            const std::vector<label_spec>& specs) -> response {
                           auto ok = service::apply_label_specs(st, v.u, specs, a.now());
                           if (ok)
                               a.catalog_changed(st);
                           return applied(ok);
                       });
}

} // namespace handlers

} // namespace flotilla::http
