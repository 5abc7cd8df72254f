#pragma once
/// The names Fleet gives the queries it sends an agent in distributed/read, and
/// that come back in distributed/write: fleet_detail_query_<detail>,
/// fleet_label_query_<label id>, fleet_policy_query_<policy id> and
/// fleet_distributed_query_<campaign id>. Formatted and parsed here only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla {

enum class query_kind { detail, label, policy, live };

/// A parsed query name: `detail` for a detail query, `id` for the others.
struct query_name {
    query_kind kind;
    std::string_view detail; ///< a view into the parsed name: valid while it is
    std::int64_t id = 0;
};

/// The query a name stands for; nullopt for any other name, and for a label,
/// policy or live name whose id is not a whole decimal int64.
std::optional<query_name> parse_query_name(std::string_view name);

std::string detail_query_name(std::string_view detail);
std::string label_query_name(std::int64_t label_id);
std::string policy_query_name(std::int64_t policy_id);
std::string live_query_name(std::int64_t campaign_id);

} // namespace flotilla
