/// Every spec apply body decoder (queries, packs, labels, teams, policies,
/// enroll secrets) and the validation that follows it, on one parsed body; then
/// the agent config a host would be served from the decoded teams' agent options
/// and packs, which must serialise to JSON that parses again.

#include "http/rest_codec.hpp"
#include "model/agent_config.hpp"
#include "model/json.hpp"
#include "model/label.hpp"
#include "model/pack.hpp"
#include "model/policy.hpp"
#include "model/query.hpp"
#include "model/team.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

template <class Specs> void validate_each(const Specs& specs) {
    if (!specs)
        return;
    for (const auto& s : *specs)
        (void)flotilla::validate(s);
}

/// The packs as the registry hands them to build_agent_config.
std::vector<flotilla::host_pack> host_packs(const std::vector<flotilla::pack_spec>& specs) {
    std::vector<flotilla::host_pack> out;
    for (const auto& p : specs) {
        flotilla::host_pack hp{p.name, p.platform, {}};
        for (const auto& q : p.queries)
            hp.queries.push_back({q.name, q.query, q.interval, q.snapshot, q.removed, q.denylist,
                                  q.shard, q.platform, q.version});
        out.push_back(std::move(hp));
    }
    return out;
}

void serve_configs(const std::vector<flotilla::team_spec>& teams,
                   const std::vector<flotilla::host_pack>& packs) {
    for (const auto& t : teams) {
        if (!t.agent_options)
            continue;
        for (const char* platform : {"ubuntu", "darwin"}) {
            auto config = flotilla::build_agent_config(*t.agent_options, platform, packs);
            if (!flotilla::json::parse(flotilla::json::dump(config)))
                __builtin_trap(); // osquery would be served a config it cannot parse
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto body =
        flotilla::json::parse_object(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!body)
        return 0;
    (void)flotilla::spec_objects(*body);
    validate_each(flotilla::decode_query_specs(*body));
    auto packs = flotilla::decode_pack_specs(*body);
    validate_each(packs);
    validate_each(flotilla::decode_label_specs(*body));
    auto teams = flotilla::decode_team_specs(*body);
    validate_each(teams);
    if (teams)
        serve_configs(*teams, packs ? host_packs(*packs) : std::vector<flotilla::host_pack>{});
    validate_each(flotilla::decode_policy_specs(*body));
    (void)flotilla::http::decode_enroll_secrets(*body);
    return 0;
}
