/// POST /api/v1/fleet/spec/teams (§3 Teams).

#include "http/spec_common.hpp"
#include "service/authz.hpp"

namespace flotilla::http {
namespace handlers {

expected<session_job> apply_teams(api& a, const request& req, const path_params&,
                                  const responder&) {
    return decoded_job(
        req, decode_team_specs,
        [&a](storage::store& st, const viewer& v, const std::vector<team_spec>& specs) -> response {
            // Global admins create and modify any team; a team admin may modify
            // (not create) the teams they administer.
            if (!authz::global_role_in(v.u, {role::admin})) {
                for (const auto& s : specs) {
                    auto t = st.team_by_name(s.name);
                    if (!t || !authz::role_on_team_in(v.u, t->id, {role::admin}))
                        return to_response(authz::forbidden());
                }
            }
            if (auto invalid = validate_all(specs))
                return to_response(*invalid);
            auto cfg = st.load_app_config();
            const auto global = cfg ? cfg->agent_options : default_agent_options();
            return applied(st.apply_team_specs(specs, global, a.now()));
        });
}

} // namespace handlers

} // namespace flotilla::http
