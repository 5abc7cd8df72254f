#include "service/host_queries.hpp"

#include "service/authz.hpp"
#include "service/hosts.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <map>

namespace flotilla::service {

namespace {

bool contains(const std::string& field, const std::string& text) {
    return field.find(text) != std::string::npos;
}

bool matches(const host& h, const host_filter& f, micros now,
             const std::vector<std::int64_t>* label_hosts) {
    if (f.team_id && h.team_id != f.team_id)
        return false;
    if (label_hosts && !std::binary_search(label_hosts->begin(), label_hosts->end(), h.id))
        return false;
    if (!f.query.empty() && !contains(h.hostname, f.query) && !contains(h.uuid, f.query) &&
        !contains(h.hardware_serial, f.query) && !contains(h.primary_ip, f.query))
        return false;
    if (f.status.empty())
        return true;
    if (f.status == "new")
        return is_new(h, now);
    const auto s = status_of(h, now);
    return (f.status == "online" && s == host_status::online) ||
           (f.status == "offline" && s == host_status::offline) ||
           (f.status == "mia" && s == host_status::mia);
}

/// Orders by the named field (Fleet's host columns the UI sorts by).
expected<void> order(std::vector<host>& hosts, const std::string& key, bool descending) {
    auto by = [&](auto field) {
        std::stable_sort(hosts.begin(), hosts.end(), [&](const host& a, const host& b) {
            return descending ? field(b) < field(a) : field(a) < field(b);
        });
    };
    if (key.empty() || key == "id" || key == "h.id")
        by([](const host& h) { return h.id; });
    else if (key == "hostname" || key == "display_name" || key == "computer_name")
        by([](const host& h) { return h.hostname; });
    else if (key == "seen_time" || key == "h.seen_time")
        by([](const host& h) { return h.seen_time; });
    else if (key == "created_at")
        by([](const host& h) { return h.created_at; });
    else if (key == "updated_at" || key == "detail_updated_at")
        by([](const host& h) { return h.detail_updated_at; });
    else if (key == "platform")
        by([](const host& h) { return h.platform; });
    else if (key == "os_version")
        by([](const host& h) { return h.os_version; });
    else if (key == "osquery_version")
        by([](const host& h) { return h.osquery_version; });
    else if (key == "primary_ip")
        by([](const host& h) { return h.primary_ip; });
    else if (key == "team_id")
        by([](const host& h) { return h.team_id.value_or(0); });
    else if (key == "uuid")
        by([](const host& h) { return h.uuid; });
    else
        return error::bad_request("invalid order key \"" + key + "\"");
    return {};
}

expected<std::vector<host>> visible_matching(storage::store& st, const user& by,
                                             const host_filter& f, micros now) {
    if (auto ok = check_host_filter(f); !ok)
        return ok.err();
    auto all = hosts_with_intervals(st);
    if (!all)
        return all.err();
    std::optional<std::vector<std::int64_t>> label_hosts; // ascending
    if (f.label_id) {
        target_selection members;
        members.label_ids = {*f.label_id};
        auto ids = st.target_host_ids(members, std::nullopt);
        if (!ids)
            return ids.err();
        label_hosts = std::move(*ids);
    }
    std::vector<host> out;
    for (auto& h : *all)
        if (authz::sees_host(by, h.team_id) &&
            matches(h, f, now, label_hosts ? &*label_hosts : nullptr))
            out.push_back(std::move(h));
    return out;
}

/// Host `id`, or Fleet's 404 naming it.
expected<host> stored_host(storage::store& st, std::int64_t id) {
    auto h = st.host_by_id(id);
    if (!h && h.err().code == errc::not_found)
        return error::not_found("Host", std::to_string(id));
    if (!h)
        return h;
    std::vector<host> one{std::move(*h)};
    if (auto ok = fill_configured_intervals(st, one); !ok)
        return ok.err();
    return std::move(one[0]);
}

/// Whether policy `p` is asked of host `h`: its team (or global), its platforms.
bool policy_applies(const policy& p, const host& h) {
    if (p.team_id && p.team_id != h.team_id)
        return false;
    if (p.platform.empty())
        return true;
    const auto family = platform_family(h.platform);
    std::size_t start = 0;
    while (start <= p.platform.size()) {
        auto comma = p.platform.find(',', start);
        if (comma == std::string::npos)
            comma = p.platform.size();
        if (!family.empty() && p.platform.compare(start, comma - start, family) == 0)
            return true;
        start = comma + 1;
    }
    return false;
}

expected<host_detail> detail_of(storage::store& st, const user& by, host h) {
    if (!authz::sees_host(by, h.team_id))
        return authz::forbidden();
    host_detail d;
    if (h.team_id)
        if (auto t = st.team_by_id(*h.team_id))
            d.team_name = t->name;
    auto label_ids = st.host_label_ids(h.id);
    if (!label_ids)
        return label_ids.err();
    auto labels = st.label_specs();
    if (!labels)
        return labels.err();
    for (auto& l : *labels)
        if (std::find(label_ids->begin(), label_ids->end(), l.id) != label_ids->end())
            d.labels.push_back(std::move(l));
    auto results = st.host_policy_results(h.id);
    if (!results)
        return results.err();
    // Global policies first, then the host's team's (Fleet's order).
    auto policies = st.global_policies();
    if (!policies)
        return policies.err();
    if (h.team_id) {
        auto team = st.team_policies(*h.team_id);
        if (!team)
            return team.err();
        policies->insert(policies->end(), std::make_move_iterator(team->begin()),
                         std::make_move_iterator(team->end()));
    }
    for (auto& p : *policies) {
        if (!policy_applies(p, h))
            continue;
        std::optional<bool> passes;
        for (const auto& r : *results)
            if (r.policy_id == p.id)
                passes = r.passes;
        d.policies.emplace_back(std::move(p), passes);
    }
    // The packs in the host's config: through its labels, its team or itself.
    auto host_packs = st.packs_for_host(h.id, h.team_id);
    if (!host_packs)
        return host_packs.err();
    auto packs = st.pack_specs();
    if (!packs)
        return packs.err();
    for (const auto& hp : *host_packs)
        for (auto& p : *packs)
            if (p.name == hp.name)
                d.packs.push_back(std::move(p));
    d.h = std::move(h);
    return d;
}

} // namespace

expected<void> check_host_filter(const host_filter& f) {
    if (!f.status.empty() && f.status != "online" && f.status != "offline" && f.status != "mia" &&
        f.status != "new")
        return error::bad_request("invalid status \"" + f.status +
                                  "\": must be new, online, offline or mia");
    return {};
}

expected<std::vector<host>> list_hosts(storage::store& st, const user& by, const host_filter& f,
                                       micros now) {
    auto hosts = visible_matching(st, by, f, now);
    if (!hosts)
        return hosts;
    if (auto ok = order(*hosts, f.order_key, f.descending); !ok)
        return ok.err();
    const auto per_page = f.per_page ? *f.per_page : (f.page > 0 ? 20 : 0);
    if (per_page <= 0)
        return hosts;
    const auto first = static_cast<std::size_t>(
        std::min<std::int64_t>(f.page * per_page, static_cast<std::int64_t>(hosts->size())));
    const auto last = std::min(hosts->size(), first + static_cast<std::size_t>(per_page));
    return std::vector<host>(std::make_move_iterator(hosts->begin() + first),
                             std::make_move_iterator(hosts->begin() + last));
}

expected<std::int64_t> count_hosts(storage::store& st, const user& by, host_filter f, micros now) {
    auto hosts = visible_matching(st, by, f, now);
    if (!hosts)
        return hosts.err();
    return static_cast<std::int64_t>(hosts->size());
}

expected<host_summary> summarize_hosts(storage::store& st, const user& by,
                                       std::optional<std::int64_t> team_id, micros now) {
    host_filter f;
    f.team_id = team_id;
    auto hosts = visible_matching(st, by, f, now);
    if (!hosts)
        return hosts.err();
    host_summary s;
    s.team_id = team_id;
    std::map<std::string, std::int64_t> platforms;
    for (const auto& h : *hosts) {
        s.counts.add(status_of(h, now), is_new(h, now));
        ++platforms[h.platform];
    }
    s.platforms.assign(platforms.begin(), platforms.end());
    return s;
}

expected<host_detail> host_by_id(storage::store& st, const user& by, std::int64_t id) {
    auto h = stored_host(st, id);
    if (!h)
        return h.err();
    return detail_of(st, by, std::move(*h));
}

expected<host_detail> host_by_identifier(storage::store& st, const user& by,
                                         const std::string& identifier) {
    auto all = hosts_with_intervals(st);
    if (!all)
        return all.err();
    for (auto& h : *all)
        if (!identifier.empty() &&
            (h.hostname == identifier || h.uuid == identifier || h.osquery_host_id == identifier ||
             h.node_key == identifier || h.hardware_serial == identifier))
            return detail_of(st, by, std::move(h));
    return error::not_found("Host", identifier);
}

expected<std::vector<std::optional<std::string>>> team_names(storage::store& st,
                                                             const std::vector<host>& hosts) {
    auto teams = st.list_teams();
    if (!teams)
        return teams.err();
    std::vector<std::optional<std::string>> out;
    out.reserve(hosts.size());
    for (const auto& h : hosts) {
        std::optional<std::string> name;
        if (h.team_id)
            for (const auto& t : *teams)
                if (t.id == *h.team_id)
                    name = t.name;
        out.push_back(std::move(name));
    }
    return out;
}

expected<void> delete_host(storage::store& st, const user& by, std::int64_t id) {
    auto h = stored_host(st, id);
    if (!h)
        return h.err();
    const bool allowed =
        authz::global_writer(by) ||
        (h->team_id && authz::role_on_team_in(by, *h->team_id, {role::admin, role::maintainer}));
    if (!allowed)
        return authz::forbidden();
    return st.delete_hosts({id});
}

} // namespace flotilla::service
