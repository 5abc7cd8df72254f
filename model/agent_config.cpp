#include "model/agent_config.hpp"

#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

agent_intervals configured_intervals(const bj::value& agent_options, const std::string& platform) {
    agent_intervals out;
    const auto config = build_agent_config(agent_options, platform, {});
    const auto* options = config.is_object() ? config.get_object().if_contains("options") : nullptr;
    if (!options || !options->is_object())
        return out;
    auto seconds = [&](const char* key) -> std::int64_t {
        const auto* v = options->get_object().if_contains(key);
        if (!v)
            return 0;
        std::int64_t n = 0;
        if (v->is_int64())
            n = v->get_int64();
        else if (v->is_uint64() && v->get_uint64() <= INT32_MAX)
            n = static_cast<std::int64_t>(v->get_uint64());
        else if (v->is_double() && v->get_double() >= 1 && v->get_double() <= INT32_MAX &&
                 v->get_double() == static_cast<double>(static_cast<std::int64_t>(v->get_double())))
            n = static_cast<std::int64_t>(v->get_double());
        return n >= 1 && n <= INT32_MAX ? n : 0;
    };
    out.distributed = seconds("distributed_interval");
    out.config_tls_refresh = seconds("config_tls_refresh");
    return out;
}

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
