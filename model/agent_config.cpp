#include "model/agent_config.hpp"

#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

bj::value build_agent_config(const bj::value& agent_options, const std::string& platform,
                             const std::vector<host_pack>& packs) {
    bj::value config = bj::object{};
    if (const auto* opts = agent_options.if_object()) {
        const bj::value* chosen = nullptr;
        if (const auto* overrides = opts->if_contains("overrides");
            overrides && overrides->is_object())
            if (const auto* platforms = overrides->get_object().if_contains("platforms");
                platforms && platforms->is_object())
                chosen = platforms->get_object().if_contains(platform);
        if (!chosen)
            chosen = opts->if_contains("config");
        if (chosen && chosen->is_object())
            config = *chosen;
    }
    if (packs.empty())
        return config;
    bj::object out_packs;
    for (const auto& p : packs) {
        bj::object queries;
        for (const auto& q : p.queries) {
            bj::object j{{"query", q.sql}, {"interval", q.interval}};
            if (q.platform && !q.platform->empty())
                j["platform"] = *q.platform;
            if (q.version && !q.version->empty())
                j["version"] = *q.version;
            if (q.snapshot && *q.snapshot)
                j["snapshot"] = true;
            if (q.removed)
                j["removed"] = *q.removed;
            if (q.shard)
                j["shard"] = *q.shard;
            if (q.denylist)
                j["denylist"] = *q.denylist;
            queries[q.name] = std::move(j);
        }
        bj::object pack{{"queries", std::move(queries)}};
        if (!p.platform.empty())
            pack["platform"] = p.platform;
        out_packs[p.name] = std::move(pack);
    }
    config.as_object()["packs"] = std::move(out_packs);
    return config;
}

} // namespace flotilla
