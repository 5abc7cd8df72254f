/// POST /api/v1/fleet/spec/policies (§3 Policies) and GET /global/policies.

#include "http/authz.hpp"
#include "http/spec_common.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

void apply_policies(api& a, const request& req, responder reply) {
    decoded_and_authenticated(
        a, req, std::move(reply), decode_policy_specs,
        [&a](storage::store& st, const viewer& v,
             const std::vector<policy_spec>& specs) -> response {
            // A team policy needs policy write on its team; a global one a global
            // admin or maintainer. An unknown team is left to the store (422).
            for (const auto& s : specs) {
                if (s.team.empty()) {
                    if (!authz::global_writer(v.u))
                        return to_response(authz::forbidden());
                } else if (!authz::global_writer(v.u)) {
                    auto t = st.team_by_name(s.team);
                    if (t && !authz::role_on_team_in(v.u, t->id, {role::admin, role::maintainer}))
                        return to_response(authz::forbidden());
                    if (!t && !authz::any_team_role_in(v.u, {role::admin, role::maintainer}))
                        return to_response(authz::forbidden());
                }
            }
            if (auto invalid = validate_all(specs))
                return to_response(*invalid);
            auto ok = st.apply_policy_specs(specs, v.u.id, a.now());
            if (ok)
                a.catalog_changed(st);
            return applied(ok);
        });
}

void list_global_policies(api& a, const request& req, responder reply) {
    a.authenticated(req, std::move(reply), [](storage::store& st, const viewer&) -> response {
        auto policies = st.global_policies();
        if (!policies)
            return to_response(policies.err());
        bj::array list;
        for (const auto& p : *policies)
            list.push_back(to_json(p));
        return response::json(200, bj::object{{"policies", std::move(list)}});
    });
}

} // namespace

void add_policy_spec_routes(api& a, router& r) {
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"}) {
        r.add("POST", prefix + "/spec/policies",
              [&a](auto& req, auto&, auto reply) { apply_policies(a, req, reply); });
        r.add("GET", prefix + "/global/policies",
              [&a](auto& req, auto&, auto reply) { list_global_policies(a, req, reply); });
    }
}

} // namespace flotilla::http
