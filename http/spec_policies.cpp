/// POST /api/v1/fleet/spec/policies (§3 Policies) and GET /global/policies.

#include "http/spec_common.hpp"
#include "service/specs.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

namespace handlers {

expected<session_job> apply_policies(api& a, const request& req, const path_params&,
                                     const responder&) {
    return decoded_job(req, decode_policy_specs,
                       [&a](storage::store& st, const viewer& v,
                            const std::vector<policy_spec>& specs) -> response {
                           auto ok = service::apply_policy_specs(st, v.u, specs, a.now());
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
