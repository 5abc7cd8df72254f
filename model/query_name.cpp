#include "model/query_name.hpp"

#include "model/json.hpp"

namespace flotilla {

namespace {

constexpr std::string_view detail_prefix = "fleet_detail_query_";
constexpr std::string_view label_prefix = "fleet_label_query_";
constexpr std::string_view policy_prefix = "fleet_policy_query_";
constexpr std::string_view live_prefix = "fleet_distributed_query_";

std::optional<query_name> with_id(query_kind kind, std::string_view rest) {
    auto id = json::parse_int64(rest);
    if (!id)
        return std::nullopt;
    return query_name{kind, {}, *id};
}

std::string joined(std::string_view prefix, std::string_view rest) {
    std::string out;
    out.reserve(prefix.size() + rest.size());
    out.append(prefix).append(rest);
    return out;
}

} // namespace

std::optional<query_name> parse_query_name(std::string_view name) {
    if (name.starts_with(detail_prefix))
        return query_name{query_kind::detail, name.substr(detail_prefix.size()), 0};
    if (name.starts_with(label_prefix))
        return with_id(query_kind::label, name.substr(label_prefix.size()));
    if (name.starts_with(policy_prefix))
        return with_id(query_kind::policy, name.substr(policy_prefix.size()));
    if (name.starts_with(live_prefix))
        return with_id(query_kind::live, name.substr(live_prefix.size()));
    return std::nullopt;
}

std::string detail_query_name(std::string_view detail) {
    return joined(detail_prefix, detail);
}
std::string label_query_name(std::int64_t label_id) {
    return joined(label_prefix, std::to_string(label_id));
}
std::string policy_query_name(std::int64_t policy_id) {
    return joined(policy_prefix, std::to_string(policy_id));
}
std::string live_query_name(std::int64_t campaign_id) {
    return joined(live_prefix, std::to_string(campaign_id));
}

} // namespace flotilla
