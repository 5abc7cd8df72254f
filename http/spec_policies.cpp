/// POST /api/v1/fleet/spec/policies (§3 Policies) and GET /global/policies.

#include "http/spec_common.hpp"
#include "service/authz.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

namespace handlers {

expected<session_job> apply_policies(api& a, const request& req, const path_params&,
                                     const responder&) {
    return decoded_job(
        req, decode_policy_specs,
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

expected<session_job> list_global_policies(api&, const request&, const path_params&,
                                           const responder&) {
    return session_job{[](storage::store& st, const viewer&) -> response {
        auto policies = st.global_policies();
        if (!policies)
            return to_response(policies.err());
        bj::array list;
        for (const auto& p : *policies)
            list.push_back(to_json(p));
        return response::json(200, bj::object{{"policies", std::move(list)}});
    }};
}

} // namespace handlers

} // namespace flotilla::http
