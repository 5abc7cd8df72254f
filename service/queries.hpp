#pragma once
/// Saved queries through the REST API (fleet-rest.md §5.3; current Fleet's
/// "reports", §8.2): listing, reading, creating, modifying and deleting them,
/// each change and its activity written in one transaction. Only saved
/// queries exist here: a live query's ad-hoc SQL is never listed, read or
/// deleted. Who may:
/// - read: everyone signed in, but a global observer, or a user who is only
///   an observer on every team, sees only queries with observer_can_run
///   (Fleet's onlyShowObserverCanRunQueries); a hidden query reads as not found;
/// - create: global admins and maintainers, team admins and maintainers;
/// - modify and delete: global admins and maintainers any query, team admins
///   and maintainers only the queries they authored.
/// Deleting a query that a pack schedules removes it from the pack, as Fleet's
/// ON DELETE CASCADE does (Flotilla's policies carry their own SQL, so no
/// policy can refer to a query).

#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/query.hpp"
#include "model/user.hpp"
#include "service/listing.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// The body of POST /queries and PATCH /queries/{id} (Fleet's QueryPayload):
/// what is absent (or null) stays as it is.
struct query_payload {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> sql; ///< the `query` key
    std::optional<bool> observer_can_run;
};

/// True when `u` sees only the queries observers may run: a global observer,
/// or a user without a global role who is an observer on every team they are
/// on (a user with no role at all, too).
bool sees_only_observer_queries(const user& u);

/// GET /queries: the saved queries `by` may see, matching `o.query` by name,
/// ordered (id, name, description, query, created_at, updated_at,
/// observer_can_run, author_name, author_email) and paged. Every query is
/// global: a `team_id` of 0 or of an existing team filters nothing, an
/// unknown team is not_found.
expected<std::vector<query_details>> list_saved_queries(storage::store& st, const user& by,
                                                        const list_options& o,
                                                        std::optional<std::int64_t> team_id);

/// GET /queries/{id}: not_found for an unknown id, an ad-hoc query, or a query
/// `by` may not see.
expected<query_details> saved_query(storage::store& st, const user& by, std::int64_t id);

/// POST /queries: name and query are required (422 naming the field when
/// absent, blank, too long, or ATTACH in the SQL); a taken name is
/// already_exists. `by` becomes the author.
expected<query_details> create_saved_query(storage::store& st, const user& by,
                                           const query_payload& p, micros now);

/// PATCH /queries/{id}: only the fields given change, and only those are
/// validated (as for create).
expected<query_details> modify_saved_query(storage::store& st, const user& by, std::int64_t id,
                                           const query_payload& p, micros now);

/// DELETE /queries/id/{id}.
expected<void> delete_saved_query(storage::store& st, const user& by, std::int64_t id, micros now);

/// DELETE /queries/{name}: by name, whatever it looks like.
expected<void> delete_saved_query_by_name(storage::store& st, const user& by,
                                          const std::string& name, micros now);

/// POST /queries/delete: every id must be a saved query `by` may delete (else
/// not_found or forbidden, and nothing is deleted); returns how many were
/// deleted (an id given twice counts once). No ids: nothing, 0.
expected<std::int64_t> delete_saved_queries(storage::store& st, const user& by,
                                            const std::vector<std::int64_t>& ids, micros now);

} // namespace flotilla::service
