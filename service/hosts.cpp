#include "service/hosts.hpp"

#include "model/agent_config.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

namespace flotilla::service {

expected<std::optional<micros>> host_expiry_cutoff(storage::store& st, micros now) {
    auto cfg = st.load_app_config();
    if (!cfg)
        return cfg.err().code == errc::not_found ? expected<std::optional<micros>>{std::nullopt}
                                                 : expected<std::optional<micros>>{cfg.err()};
    const auto days = cfg->host_expiry_window_days();
    if (!cfg->host_expiry_enabled() || days <= 0)
        return std::optional<micros>{};
    constexpr micros day = 86'400LL * 1'000'000;
    const micros window = days > (now / day) + 1 ? now : days * day; // no overflow
    return std::optional<micros>{now - window};
}

expected<void> fill_configured_intervals(storage::store& st, std::vector<host>& hosts) {
    if (std::none_of(hosts.begin(), hosts.end(), [](const host& h) {
            return h.distributed_interval <= 0 || h.config_tls_refresh <= 0;
        }))
        return {};
    auto cfg = st.load_app_config();
    if (!cfg)
        return cfg.err().code == errc::not_found ? expected<void>{} : expected<void>{cfg.err()};
    auto teams = st.list_teams();
    if (!teams)
        return teams.err();
    std::map<std::int64_t, const boost::json::value*> team_options;
    for (const auto& t : *teams)
        if (t.agent_options)
            team_options[t.id] = &*t.agent_options;
    for (auto& h : hosts) {
        if (h.distributed_interval > 0 && h.config_tls_refresh > 0)
            continue;
        const boost::json::value* opts = &cfg->agent_options();
        if (h.team_id)
            if (auto t = team_options.find(*h.team_id); t != team_options.end())
                opts = t->second;
        const auto configured = configured_intervals(*opts, h.platform);
        if (h.distributed_interval <= 0)
            h.distributed_interval = configured.distributed;
        if (h.config_tls_refresh <= 0)
            h.config_tls_refresh = configured.config_tls_refresh;
    }
    return {};
}

expected<std::vector<host>> hosts_with_intervals(storage::store& st) {
    auto hosts = st.list_hosts();
    if (!hosts)
        return hosts.err();
    if (auto ok = fill_configured_intervals(st, *hosts); !ok)
        return ok.err();
    return hosts;
}

expected<void> delete_hosts(storage::store& st, const std::vector<std::int64_t>& ids) {
    return st.delete_hosts(ids);
}

} // namespace flotilla::service
