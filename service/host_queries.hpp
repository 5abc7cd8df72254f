#pragma once
/// Reading hosts (fleet-rest.md §4.2): the list with Fleet's filters, the count,
/// the summary, one host with its labels, policies and packs, and who may delete one.
/// Global users see every host; team users the hosts of their teams.

#include "model/campaign.hpp"
#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/host.hpp"
#include "model/label.hpp"
#include "model/pack.hpp"
#include "model/policy.hpp"
#include "model/user.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// GET /hosts and /hosts/count query parameters.
struct host_filter {
    std::string query;  ///< matches hostname, uuid, hardware serial or primary IP (substring)
    std::string status; ///< "", online, offline, mia or new
    std::optional<std::int64_t> team_id;
    std::optional<std::int64_t> label_id;
    std::int64_t page = 0;
    std::optional<std::int64_t> per_page; ///< nullopt: every host (20 when only page is given)
    std::string order_key;                ///< a host field; "" = id
    bool descending = false;
};

/// The statuses a filter may name; anything else is a bad_request.
expected<void> check_host_filter(const host_filter& f);

/// The hosts `by` may see that match `f`, ordered and paged.
expected<std::vector<host>> list_hosts(storage::store& st, const user& by, const host_filter& f,
                                       micros now);
/// How many match `f` (paging ignored).
expected<std::int64_t> count_hosts(storage::store& st, const user& by, host_filter f, micros now);

struct host_summary {
    std::optional<std::int64_t> team_id;
    host_counts counts;
    std::vector<std::pair<std::string, std::int64_t>> platforms; ///< by name
};
expected<host_summary> summarize_hosts(storage::store& st, const user& by,
                                       std::optional<std::int64_t> team_id, micros now);

/// One host with what GET /hosts/{id} adds.
struct host_detail {
    host h;
    std::optional<std::string> team_name;
    std::vector<label_spec> labels;
    /// Global policies, then the team's; answered: passes or not.
    std::vector<std::pair<policy, std::optional<bool>>> policies;
    std::vector<pack_spec> packs; ///< the packs its config holds, in id order
};
/// By id; 404 when unknown, 403 when `by` may not see it.
expected<host_detail> host_by_id(storage::store& st, const user& by, std::int64_t id);
/// By hostname, uuid, osquery host identifier or node key.
expected<host_detail> host_by_identifier(storage::store& st, const user& by,
                                         const std::string& identifier);
/// The team name of each host's team, for list answers (null for no team).
expected<std::vector<std::optional<std::string>>> team_names(storage::store& st,
                                                             const std::vector<host>& hosts);

/// DELETE /hosts/{id}: global admins and maintainers, and team admins and
/// maintainers for their teams' hosts; deletes it and its results.
expected<void> delete_host(storage::store& st, const user& by, std::int64_t id);

} // namespace flotilla::service
