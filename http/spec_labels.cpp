/// GET/POST /api/v1/fleet/spec/labels, GET /spec/labels/{name} (§3 Labels).

#include "http/authz.hpp"
#include "http/spec_common.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

void list_labels(api& a, const request& req, responder reply) {
    a.authenticated(req, std::move(reply), [](storage::store& st, const viewer&) -> response {
        auto labels = st.label_specs();
        if (!labels)
            return to_response(labels.err());
        bj::array specs;
        for (const auto& l : *labels)
            specs.push_back(to_json(l));
        return response::json(200, bj::object{{"specs", std::move(specs)}});
    });
}

void get_label(api& a, const request& req, const path_params& p, responder reply) {
    a.authenticated(req, std::move(reply),
                    [name = p.at("name")](storage::store& st, const viewer&) -> response {
                        auto l = st.label_spec_by_name(name);
                        if (!l)
                            return to_response(l.err());
                        return response::json(200, bj::object{{"specs", to_json(*l)}});
                    });
}

void apply_labels(api& a, const request& req, responder reply) {
    decoded_and_authenticated(a, req, std::move(reply), decode_label_specs,
                              [&a](storage::store& st, const viewer& v,
                                   const std::vector<label_spec>& specs) -> response {
                                  if (!authz::global_writer(v.u))
                                      return to_response(authz::forbidden());
                                  if (auto invalid = validate_all(specs))
                                      return to_response(*invalid);
                                  auto ok = st.apply_label_specs(specs, a.now());
                                  if (ok)
                                      a.catalog_changed(st);
                                  return applied(ok);
                              });
}

} // namespace

void add_label_spec_routes(api& a, router& r) {
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"}) {
        r.add("GET", prefix + "/spec/labels",
              [&a](auto& req, auto&, auto reply) { list_labels(a, req, reply); });
        r.add("POST", prefix + "/spec/labels",
              [&a](auto& req, auto&, auto reply) { apply_labels(a, req, reply); });
        r.add("GET", prefix + "/spec/labels/{name}",
              [&a](auto& req, auto& p, auto reply) { get_label(a, req, p, reply); });
    }
}

} // namespace flotilla::http
