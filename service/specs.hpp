#pragma once
/// Applying specs (fleet-behaviour.md §3): who may apply each kind, every spec
/// validated before anything is written (one 422 listing every fault), then
/// applied in one transaction. The HTTP handlers decode and encode around these.

#include "model/clock.hpp"
#include "model/enroll_secret.hpp"
#include "model/error.hpp"
#include "model/label.hpp"
#include "model/pack.hpp"
#include "model/policy.hpp"
#include "model/query.hpp"
#include "model/team.hpp"
#include "model/user.hpp"

#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// Global admins and maintainers, and team admins and maintainers (their
/// queries are global, as in Fleet).
expected<void> apply_query_specs(storage::store& st, const user& by,
                                 const std::vector<query_spec>& specs, micros now);
/// Global admins and maintainers.
expected<void> apply_label_specs(storage::store& st, const user& by,
                                 const std::vector<label_spec>& specs, micros now);
/// A global policy needs a global admin or maintainer; a team policy policy
/// write on its team (an unknown team is the store's 422, for a user who is
/// admin or maintainer somewhere).
expected<void> apply_policy_specs(storage::store& st, const user& by,
                                  const std::vector<policy_spec>& specs, micros now);
/// Global admins and maintainers.
expected<void> apply_pack_specs(storage::store& st, const user& by,
                                const std::vector<pack_spec>& specs, micros now);
/// Global admins create and modify any team; a team admin may modify (not
/// create) the teams they administer. New teams start from the global agent
/// options of the app config.
expected<void> apply_team_specs(storage::store& st, const user& by,
                                const std::vector<team_spec>& specs, micros now);
/// Global admins and maintainers; every secret non-empty and within the length
/// limit; the list replaces the global secrets.
expected<void> apply_enroll_secrets(storage::store& st, const user& by,
                                    const std::vector<std::string>& secrets, micros now);

/// The global enroll secrets: global admins and maintainers only.
expected<std::vector<enroll_secret>> global_enroll_secrets(storage::store& st, const user& by);
/// Packs may be read by global admins and maintainers and by team admins and
/// maintainers.
expected<std::vector<pack_spec>> pack_specs(storage::store& st, const user& by);
expected<pack_spec> pack_spec_by_name(storage::store& st, const user& by, const std::string& name);

} // namespace flotilla::service
