#pragma once
/// Teams through the REST API (fleet-rest.md §5.2, current Fleet's /fleets
/// aliases §8.2) and moving hosts between teams (§4.2 transfer). Flotilla serves
/// them on the free tier: never 402.
///
/// Who may do what: every signed-in user lists the teams they see (global users
/// every team, team users theirs) and reads those; a global admin creates and
/// deletes teams; a global admin or the team's admin renames it, sets its agent
/// options and manages its users; global admins and maintainers, and the team's
/// admins and maintainers, read and replace its enroll secrets; global admins and
/// maintainers move hosts between teams. What a change means for the host
/// registry (a host's team) is the caller's to pass on: these return the hosts.

#include "model/clock.hpp"
#include "model/enroll_secret.hpp"
#include "model/error.hpp"
#include "model/team.hpp"
#include "model/user.hpp"
#include "service/host_queries.hpp"
#include "service/listing.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// A team as the REST API shows it: with its user and host counts and its
/// enroll secrets.
struct team_details {
    team t;
    std::int64_t user_count = 0;
    std::int64_t host_count = 0;
    std::vector<enroll_secret> secrets;
};

/// GET /teams: the teams `by` sees matching `o.query` (by name), ordered (id,
/// name, created_at, user_count, host_count) and paged.
expected<std::vector<team_details>> list_teams(storage::store& st, const user& by,
                                               const list_options& o);

/// GET /teams/{id}: not_found when unknown, forbidden unless `by` sees it.
expected<team_details> team_by_id(storage::store& st, const user& by, std::int64_t id);

/// POST /teams (global admins): `name` must not be empty or blank (422), nor
/// taken (409). The team gets a copy of the global agent options and one random
/// enroll secret; recorded as created_team.
expected<team_details> create_team(storage::store& st, const user& by, const std::string& name,
                                   const std::string& description, micros now);

/// PATCH /teams/{id}: the name and description (nullopt: unchanged).
expected<team_details> modify_team(storage::store& st, const user& by, std::int64_t id,
                                   const std::optional<std::string>& name,
                                   const std::optional<std::string>& description);

/// DELETE /teams/{id} (global admins): the team, its enroll secrets and its
/// policies; its hosts go to no team, and their ids are returned (ascending).
/// Recorded as deleted_team.
expected<std::vector<std::int64_t>> delete_team(storage::store& st, const user& by, std::int64_t id,
                                                micros now);

/// POST /teams/{id}/agent_options: `options` (a JSON object, else 422)
/// replaces the team's; recorded as edited_agent_options.
expected<team_details> set_team_agent_options(storage::store& st, const user& by, std::int64_t id,
                                              const boost::json::value& options, micros now);

/// GET /teams/{id}/secrets.
expected<std::vector<enroll_secret>> team_secrets(storage::store& st, const user& by,
                                                  std::int64_t id);

/// PATCH /teams/{id}/secrets: replaces them (empty or too long → 422; held
/// globally or by another team → 409, nothing changed).
expected<std::vector<enroll_secret>> replace_team_secrets(storage::store& st, const user& by,
                                                          std::int64_t id,
                                                          const std::vector<std::string>& secrets,
                                                          micros now);

/// One entry of PATCH/DELETE /teams/{id}/users.
struct team_member_payload {
    std::int64_t user_id = 0;
    std::string role; ///< PATCH: admin, maintainer or observer; DELETE: ignored
};

/// GET /teams/{id}/users: the users holding a role on the team, in id order.
expected<std::vector<user>> team_users(storage::store& st, const user& by, std::int64_t id);

/// PATCH /teams/{id}/users: gives each user the role on the team (added or
/// changed). An unknown user, a bad role or a user with a global role is
/// invalid_argument naming it, and nothing changes.
expected<team_details> add_team_users(storage::store& st, const user& by, std::int64_t id,
                                      const std::vector<team_member_payload>& members);

/// DELETE /teams/{id}/users: the users lose their role on the team (users
/// without one are skipped).
expected<team_details> remove_team_users(storage::store& st, const user& by, std::int64_t id,
                                         const std::vector<std::int64_t>& user_ids);

/// POST /hosts/transfer (global admins and maintainers): moves the hosts to
/// `team_id` (nullopt: no team). An unknown team is invalid_argument naming
/// team_id; unknown host ids are skipped, as Fleet does. Returns the ids moved.
expected<std::vector<std::int64_t>> transfer_hosts(storage::store& st, const user& by,
                                                   std::optional<std::int64_t> team_id,
                                                   const std::vector<std::int64_t>& host_ids,
                                                   micros now);

/// POST /hosts/transfer/filter: moves every host matching `f` (query, status,
/// label_id; paging and order ignored) as transfer_hosts does.
expected<std::vector<std::int64_t>> transfer_hosts_by_filter(storage::store& st, const user& by,
                                                             std::optional<std::int64_t> team_id,
                                                             host_filter f, micros now);

} // namespace flotilla::service
