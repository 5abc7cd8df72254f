#include "service/targets.hpp"

#include "service/authz.hpp"
#include "service/hosts.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <set>

namespace flotilla::service {

namespace {

bool has(const std::vector<std::int64_t>& ids, std::int64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool contains(const std::string& s, const std::string& text) {
    return s.find(text) != std::string::npos;
}

expected<std::int64_t> hosts_in(storage::store& st, const target_selection& sel,
                                const std::optional<std::vector<std::int64_t>>& scope) {
    auto ids = st.target_host_ids(sel, scope);
    if (!ids)
        return ids.err();
    return static_cast<std::int64_t>(ids->size());
}

} // namespace

expected<host_counts> count_targets(storage::store& st, const user& by,
                                    const target_selection& selected, micros now) {
    const auto scope = authz::visible_teams(by);
    auto ids = st.target_host_ids(selected, scope);
    if (!ids)
        return ids.err();
    host_counts c;
    if (ids->empty())
        return c;
    const std::set<std::int64_t> wanted(ids->begin(), ids->end());
    auto hosts = hosts_with_intervals(st);
    if (!hosts)
        return hosts.err();
    for (const auto& h : *hosts)
        if (wanted.count(h.id))
            c.add(status_of(h, now), is_new(h, now));
    return c;
}

expected<target_suggestions> search_targets(storage::store& st, const user& by,
                                            const std::string& text,
                                            const target_selection& selected, micros now) {
    const auto scope = authz::visible_teams(by);
    target_suggestions out;
    auto counts = count_targets(st, by, selected, now);
    if (!counts)
        return counts.err();
    out.selected = *counts;

    auto hosts = hosts_with_intervals(st);
    if (!hosts)
        return hosts.err();
    for (auto& h : *hosts) {
        if (out.hosts.size() >= max_target_suggestions)
            break;
        if (authz::sees_host(by, h.team_id) && !has(selected.host_ids, h.id) &&
            (contains(h.hostname, text) || contains(h.primary_ip, text)))
            out.hosts.push_back(std::move(h));
    }
    auto labels = st.label_specs();
    if (!labels)
        return labels.err();
    for (auto& l : *labels) {
        if (out.labels.size() >= max_target_suggestions)
            break;
        if (has(selected.label_ids, l.id) || !contains(l.name, text))
            continue;
        target_selection one;
        one.label_ids = {l.id};
        auto n = hosts_in(st, one, scope);
        if (!n)
            return n.err();
        out.labels.emplace_back(std::move(l), *n);
    }
    auto teams = st.list_teams();
    if (!teams)
        return teams.err();
    for (auto& t : *teams) {
        if (out.teams.size() >= max_target_suggestions)
            break;
        if (has(selected.team_ids, t.id) || !contains(t.name, text) ||
            (scope && !has(*scope, t.id)))
            continue;
        target_selection one;
        one.team_ids = {t.id};
        auto n = hosts_in(st, one, scope);
        if (!n)
            return n.err();
        out.teams.emplace_back(std::move(t), *n);
    }
    return out;
}

} // namespace flotilla::service
