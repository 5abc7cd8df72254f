/// POST /api/v1/fleet/spec/teams (§3 Teams).

#include "http/spec_common.hpp"
#include "service/specs.hpp"

namespace flotilla::http {
namespace handlers {

expected<session_job> apply_teams(api& a, const request& req, const path_params&,
                                  const responder&) {
    return decoded_job(
        req, decode_team_specs,
        [&a](storage::store& st, const viewer& v, const std::vector<team_spec>& specs) -> response {
            return applied(service::apply_team_specs(st, v.u, specs, a.now()));
        });
}

} // namespace handlers

} // namespace flotilla::http
