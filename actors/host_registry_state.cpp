#include "actors/host_registry_state.hpp"

#include "model/query_name.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>
#include <utility>

namespace flotilla::actors {

namespace {

micros to_micros(std::chrono::seconds s) {
    return seconds_to_micros(s.count());
}

/// A host's jitter, fixed per host: 0 .. max_jitter of an interval.
double jitter_fraction(std::int64_t id, double max_jitter) {
    std::uint64_t x = static_cast<std::uint64_t>(id) + 0x9e3779b97f4a7c15ULL; // splitmix64
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return static_cast<double>(x % 10'000) / 10'000.0 * max_jitter;
}

micros next_due(micros from, std::chrono::seconds interval, double jitter) {
    const micros i = to_micros(interval);
    return from + i + static_cast<micros>(static_cast<double>(i) * jitter);
}

bool platform_listed(const std::string& list, const std::string& family) {
    if (list.empty())
        return true;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto comma = list.find(',', start);
        if (comma == std::string::npos)
            comma = list.size();
        if (list.compare(start, comma - start, family) == 0)
            return true;
        start = comma + 1;
    }
    return false;
}

error node_invalid(const std::string& key) {
    return {errc::node_invalid,
            key.empty() ? "authentication error: missing node key"
                        : "authentication error: invalid node key: " + key,
            {}};
}

} // namespace

void host_registry_state::init(checkin_settings s, const std::vector<host>& hosts) {
    settings_ = std::move(s);
    if (!settings_.clock)
        settings_.clock = now_micros;
    for (const auto& h : hosts)
        if (!h.node_key.empty())
            register_host(h, "");
}

host_entry host_registry_state::make_entry(const host& h) const {
    host_entry e;
    e.id = h.id;
    e.team_id = h.team_id;
    e.platform = h.platform;
    e.needs_accelerate = h.hostname.empty() || h.platform.empty();
    const double j = jitter_fraction(h.id, settings_.max_jitter);
    e.detail_due =
        h.refetch_requested ? 0 : next_due(h.detail_updated_at, settings_.detail_interval, j);
    e.label_due = next_due(h.label_updated_at, settings_.label_interval, j);
    e.policy_due = next_due(h.policy_updated_at, settings_.policy_interval, j);
    e.jitter = j;
    e.seen = h.seen_time ? h.seen_time : h.created_at;
    e.created_at = h.created_at;
    e.online_window_s = online_window_s(h);
    e.hostname = h.hostname;
    return e;
}

void host_registry_state::register_host(const host& h, const std::string& previous_node_key) {
    if (!previous_node_key.empty())
        by_key_.erase(previous_node_key);
    if (auto it = key_of_id_.find(h.id); it != key_of_id_.end() && it->second != h.node_key)
        by_key_.erase(it->second);
    auto entry = make_entry(h);
    entry.pending = campaigns_.targeting(h.id); // a re-enrolled host keeps its live queries
    by_key_[h.node_key] = std::move(entry);
    key_of_id_[h.id] = h.node_key;
}

host_entry* host_registry_state::find(const std::string& node_key) {
    auto it = by_key_.find(node_key);
    return it == by_key_.end() ? nullptr : &it->second;
}

const host_entry* host_registry_state::find_id(std::int64_t id) const {
    auto k = key_of_id_.find(id);
    if (k == key_of_id_.end())
        return nullptr;
    auto e = by_key_.find(k->second);
    return e == by_key_.end() ? nullptr : &e->second;
}

host_entry* host_registry_state::find_id(std::int64_t id) {
    return const_cast<host_entry*>(std::as_const(*this).find_id(id));
}

host_entry* host_registry_state::touch(const std::string& node_key) {
    host_entry* e = find(node_key);
    if (e) {
        e->seen = now();
        e->seen_dirty = true;
    }
    return e;
}

expected<host_ref> host_registry_state::authenticate(const std::string& node_key) {
    host_entry* e = touch(node_key);
    if (!e)
        return node_invalid(node_key);
    return host_ref{e->id, e->team_id, e->platform};
}

expected<read_answer> host_registry_state::read(const std::string& node_key) {
    host_entry* e = touch(node_key);
    if (!e)
        return node_invalid(node_key);
    const micros t = e->seen;
    read_answer a;
    a.accelerate = e->needs_accelerate;
    for (auto id : e->pending)
        if (const auto* c = campaigns_.active(id))
            a.queries.emplace_back(live_query_name(id), c->sql);
    if (t >= e->detail_due)
        for (const auto& d : detail_queries())
            a.queries.emplace_back(detail_query_name(d.name), d.sql);
    // Due: every label (policy); otherwise only those newer than the host has seen.
    const bool labels_due = t >= e->label_due;
    if (labels_due || e->label_gen < label_gen_)
        for (std::size_t i = 0; i < catalog_.labels.size(); ++i) {
            const auto& l = catalog_.labels[i];
            if ((labels_due || label_gens_[i] > e->label_gen) &&
                (l.platform.empty() || l.platform == e->platform))
                a.queries.emplace_back(label_query_name(l.id), l.sql);
        }
    const bool policies_due = t >= e->policy_due;
    if (policies_due || e->policy_gen < policy_gen_) {
        const std::string family = platform_family(e->platform);
        for (std::size_t i = 0; i < catalog_.policies.size(); ++i) {
            const auto& p = catalog_.policies[i];
            if ((policies_due || policy_gens_[i] > e->policy_gen) &&
                (!p.team_id || p.team_id == e->team_id) &&
                (p.platforms.empty() || (!family.empty() && platform_listed(p.platforms, family))))
                a.queries.emplace_back(policy_query_name(p.id), p.sql);
        }
    }
    return a;
}

expected<host_registry_state::write_effects>
host_registry_state::write(const std::string& node_key, const std::vector<query_result>& results) {
    host_entry* e = touch(node_key);
    if (!e)
        return node_invalid(node_key);
    const micros t = e->seen;
    const double j = e->jitter;
    write_effects fx;
    fx.host_id = e->id;
    bool any_detail = false, any_label = false, any_policy = false;
    for (const auto& r : results) {
        const auto q = parse_query_name(r.name);
        if (!q) {
            spdlog::debug("host {}: result for unknown query {}", e->id, r.name);
        } else if (q->kind == query_kind::detail) {
            any_detail = true;
            if (!r.failed)
                fx.details.emplace_back(std::string(q->detail), r.rows);
        } else if (q->kind == query_kind::label) {
            any_label = true;
            fx.labels.emplace_back(q->id, !r.failed && !r.rows.empty());
            if (auto g = label_gen_of_.find(q->id); g != label_gen_of_.end())
                e->label_gen = std::max(e->label_gen, g->second);
        } else if (q->kind == query_kind::policy) {
            any_policy = true;
            if (auto g = policy_gen_of_.find(q->id); g != policy_gen_of_.end())
                e->policy_gen = std::max(e->policy_gen, g->second);
            std::optional<bool> passes;
            if (!r.failed)
                passes = !r.rows.empty();
            fx.policies.push_back({q->id, passes});
        } else {
            auto it = std::find(e->pending.begin(), e->pending.end(), q->id);
            if (it == e->pending.end())
                continue; // not asked, or answered already: delivered once only
            e->pending.erase(it);
            campaign_result cr;
            cr.campaign_id = q->id;
            cr.host_id = e->id;
            cr.hostname = e->hostname;
            cr.platform = e->platform;
            for (const auto& row : r.rows)
                cr.rows.emplace_back(row.begin(), row.end());
            if (r.failed)
                cr.error = r.message;
            fx.live.push_back(std::move(cr));
        }
    }
    if (any_detail)
        e->detail_due = next_due(t, settings_.detail_interval, j);
    // Only a due round of every query moves the next one; answers to queries
    // that were new between rounds do not.
    if (any_label && t >= e->label_due)
        e->label_due = next_due(t, settings_.label_interval, j);
    if (any_policy && t >= e->policy_due)
        e->policy_due = next_due(t, settings_.policy_interval, j);
    return fx;
}

namespace {

/// Generations for a new catalogue's entries: an entry unchanged since `old`
/// keeps its generation; new or changed entries share one new generation.
template <class Item, class Same>
std::vector<std::uint32_t>
generations(const std::vector<Item>& old_items, const std::vector<std::uint32_t>& old_gens,
            const std::vector<Item>& items, bool baseline, Same same, std::uint32_t& newest,
            std::unordered_map<std::int64_t, std::uint32_t>& gen_of) {
    std::unordered_map<std::int64_t, std::size_t> before;
    for (std::size_t i = 0; i < old_items.size(); ++i)
        before.emplace(old_items[i].id, i);
    std::vector<std::uint32_t> gens;
    gens.reserve(items.size());
    gen_of.clear();
    bool bumped = false;
    for (const auto& item : items) {
        std::uint32_t g = 0;
        auto it = before.find(item.id);
        if (it != before.end() && same(old_items[it->second], item)) {
            g = old_gens[it->second];
        } else if (!baseline) {
            if (!bumped)
                ++newest, bumped = true;
            g = newest;
        }
        gens.push_back(g);
        gen_of[item.id] = g;
    }
    return gens;
}

} // namespace

void host_registry_state::set_catalog(storage::query_catalog c) {
    using cat = storage::query_catalog;
    const bool baseline = !catalog_loaded_;
    label_gens_ = generations(
        catalog_.labels, label_gens_, c.labels, baseline,
        [](const cat::label_query& a, const cat::label_query& b) {
            return a.sql == b.sql && a.platform == b.platform;
        },
        label_gen_, label_gen_of_);
    policy_gens_ = generations(
        catalog_.policies, policy_gens_, c.policies, baseline,
        [](const cat::policy_query& a, const cat::policy_query& b) {
            return a.sql == b.sql && a.team_id == b.team_id && a.platforms == b.platforms;
        },
        policy_gen_, policy_gen_of_);
    catalog_ = std::move(c);
    catalog_loaded_ = true;
}

void host_registry_state::host_updated(std::int64_t id, const std::string& platform,
                                       const std::string& hostname, std::int64_t online_window_s) {
    if (host_entry* e = find_id(id)) {
        e->platform = platform;
        e->hostname = hostname;
        e->online_window_s = online_window_s;
        e->needs_accelerate = hostname.empty() || platform.empty();
    }
}

host_counts host_registry_state::start_campaign(std::int64_t id, std::string sql,
                                                const std::vector<std::int64_t>& host_ids) {
    // One pass over the targets: each is marked and counted (a campaign may target a
    // million hosts, and this runs on the registry, between check-ins).
    host_counts c;
    const micros t = settings_.clock();
    for (auto h : host_ids)
        if (host_entry* e = find_id(h)) {
            e->pending.push_back(id);
            count_into(c, *e, t);
        }
    campaigns_.add(id, std::move(sql), host_ids);
    return c;
}

void host_registry_state::stop_campaign(std::int64_t id, std::string reason) {
    auto c = campaigns_.stop(id, std::move(reason));
    if (!c)
        return;
    for (auto h : c->host_ids)
        if (host_entry* e = find_id(h))
            std::erase(e->pending, id);
}

host_counts host_registry_state::counts(const std::vector<std::int64_t>& host_ids) const {
    host_counts c;
    const micros t = settings_.clock();
    for (auto id : host_ids)
        if (const host_entry* e = find_id(id))
            count_into(c, *e, t);
    return c;
}

void host_registry_state::count_into(host_counts& c, const host_entry& h, micros t) {
    c.add(status_from(h.seen, h.online_window_s, t),
          h.created_at + seconds_to_micros(24 * 3600) >= t);
}

std::vector<std::int64_t> host_registry_state::seen_before(micros cutoff) const {
    std::vector<std::int64_t> out;
    for (const auto& [key, e] : by_key_)
        if (e.seen < cutoff)
            out.push_back(e.id);
    return out;
}

std::vector<caf::actor> host_registry_state::forget_hosts(const std::vector<std::int64_t>& ids) {
    for (auto id : ids) {
        auto k = key_of_id_.find(id);
        if (k == key_of_id_.end())
            continue;
        by_key_.erase(k->second);
        key_of_id_.erase(k);
    }
    return campaigns_.remove_hosts(ids);
}

std::size_t host_registry_state::set_team(const std::vector<std::int64_t>& ids,
                                          std::optional<std::int64_t> team_id) {
    std::size_t n = 0;
    for (auto id : ids) {
        host_entry* e = find_id(id);
        if (!e)
            continue;
        if (e->team_id != team_id)
            e->policy_due = 0;
        e->team_id = team_id;
        ++n;
    }
    return n;
}

std::vector<std::pair<std::int64_t, micros>> host_registry_state::take_seen() {
    std::vector<std::pair<std::int64_t, micros>> out;
    for (auto& [key, e] : by_key_)
        if (e.seen_dirty) {
            out.emplace_back(e.id, e.seen);
            e.seen_dirty = false;
        }
    return out;
}

} // namespace flotilla::actors
