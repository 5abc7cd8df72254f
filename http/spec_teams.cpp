/// POST /api/v1/fleet/spec/teams (§3 Teams).

#include "http/authz.hpp"
#include "http/spec_common.hpp"

namespace flotilla::http {
namespace {

void apply_teams(api& a, const request& req, responder reply) {
    decoded_and_authenticated(
        a, req, std::move(reply), decode_team_specs,
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

} // namespace

void add_team_spec_routes(api& a, router& r) {
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"})
        r.add("POST", prefix + "/spec/teams",
              [&a](auto& req, auto&, auto reply) { apply_teams(a, req, reply); });
}

} // namespace flotilla::http
