#pragma once
/// Starting a live query (fleet-behaviour.md §4): who may run what on which
/// hosts, the targets resolved to hosts, and the campaign created. The caller
/// hands the result to the host registry, which spawns the campaign actor.

#include "model/campaign.hpp"
#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/user.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

struct live_query_request {
    std::optional<std::string> sql;       ///< an ad hoc query
    std::optional<std::int64_t> query_id; ///< or a saved one
    target_selection selected;            ///< ids, or names when `by_names`
    bool by_names = false;
};

struct live_query {
    campaign c;
    std::string sql;                    ///< what the hosts run
    std::vector<std::int64_t> host_ids; ///< the hosts targeted, at least one
};

/// Checks and creates the campaign `r` asks for, run by `u`: one of query or
/// query_id (422 on `query`), no ATTACH, the permission rules (observers run
/// only saved queries that allow it; team users only on their teams' hosts),
/// targets resolved (names when by_names), and at least one host (422 on
/// `selected`).
expected<live_query> start_live_query(storage::store& st, const user& u,
                                      const live_query_request& r, micros now);

} // namespace flotilla::service
