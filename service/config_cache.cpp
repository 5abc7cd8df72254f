#include "service/config_cache.hpp"

#include "model/agent_config.hpp"
#include "model/app_config.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace flotilla::service {

namespace {

bool contains(const std::vector<std::int64_t>& v, std::int64_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

std::vector<std::size_t> config_cache::packs_of(const inputs& in, std::int64_t host_id,
                                                std::optional<std::int64_t> team_id) {
    static const std::vector<std::int64_t> none;
    auto m = in.members.find(host_id);
    const auto& labels = m == in.members.end() ? none : m->second;
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < in.packs.size(); ++i) {
        const auto& p = in.packs[i];
        bool applies = contains(p.host_ids, host_id) || (team_id && contains(p.team_ids, *team_id));
        if (!applies && !p.disabled)
            for (auto l : p.label_ids)
                if (l == in.all_hosts || contains(labels, l)) {
                    applies = true;
                    break;
                }
        if (applies)
            out.push_back(i);
    }
    return out;
}

std::shared_ptr<const std::string> config_cache::find(std::int64_t host_id,
                                                      std::optional<std::int64_t> team_id,
                                                      const std::string& platform) {
    std::lock_guard lock(mu_);
    if (!in_) {
        ++stats_.misses;
        return nullptr;
    }
    const auto packs = packs_of(*in_, host_id, team_id);
    const auto team_opts = team_id ? in_->team_options.find(*team_id) : in_->team_options.end();
    const bool team_has_options = team_opts != in_->team_options.end();
    std::string key =
        (team_has_options ? std::to_string(*team_id) : std::string("g")) + '/' + platform + '/';
    for (auto i : packs)
        key += std::to_string(in_->packs[i].id) + ',';
    if (auto it = rendered_.find(key); it != rendered_.end()) {
        ++stats_.hits;
        return it->second;
    }
    std::vector<host_pack> chosen;
    chosen.reserve(packs.size());
    for (auto i : packs)
        chosen.push_back(in_->packs[i].pack);
    auto body = std::make_shared<const std::string>(boost::json::serialize(build_agent_config(
        team_has_options ? team_opts->second : in_->global_options, platform, chosen)));
    if (rendered_.size() >= max_rendered)
        rendered_.clear();
    rendered_.emplace(std::move(key), body);
    ++stats_.renders;
    return body;
}

expected<void> config_cache::load(storage::store& st) {
    std::uint64_t started;
    {
        std::lock_guard lock(mu_);
        started = generation_;
    }
    auto cfg = st.load_app_config();
    if (!cfg)
        return cfg.err(); // before setup: nothing to cache
    auto in = std::make_shared<inputs>();
    in->global_options = cfg->agent_options();
    auto teams = st.list_teams();
    if (!teams)
        return teams.err();
    for (auto& t : *teams)
        if (t.agent_options && t.agent_options->is_object() &&
            !t.agent_options->get_object().empty())
            in->team_options.emplace(t.id, std::move(*t.agent_options));
    auto packs = st.pack_catalog();
    if (!packs)
        return packs.err();
    in->packs = std::move(*packs);
    if (auto all = st.label_spec_by_name("All Hosts"); all && all->builtin)
        in->all_hosts = all->id;
    for (const auto& p : in->packs)
        if (!p.disabled)
            for (auto l : p.label_ids)
                if (l != in->all_hosts)
                    in->targeted.insert(l);
    if (!in->targeted.empty()) {
        auto rows = st.label_members({in->targeted.begin(), in->targeted.end()});
        if (!rows)
            return rows.err();
        for (const auto& [host, label] : *rows)
            in->members[host].push_back(label);
    }
    std::lock_guard lock(mu_);
    ++stats_.loads;
    if (generation_ != started)
        return {}; // overtaken by a change: the next fetch loads again
    in_ = std::move(in);
    rendered_.clear();
    return {};
}

void config_cache::invalidate() {
    std::lock_guard lock(mu_);
    ++generation_;
    ++stats_.invalidations;
    in_.reset();
    rendered_.clear();
}

void config_cache::labels_written(const std::vector<storage::host_store::label_results>& batch) {
    std::lock_guard lock(mu_);
    if (!in_ || in_->targeted.empty())
        return;
    for (const auto& b : batch)
        for (const auto& [label, member] : b.results) {
            if (!in_->targeted.count(label))
                continue;
            auto m = in_->members.find(b.host_id);
            if (m == in_->members.end()) {
                if (member)
                    in_->members[b.host_id].push_back(label);
                continue;
            }
            auto& labels = m->second;
            auto it = std::find(labels.begin(), labels.end(), label);
            if (member && it == labels.end())
                labels.push_back(label);
            else if (!member && it != labels.end()) {
                labels.erase(it);
                if (labels.empty())
                    in_->members.erase(m);
            }
        }
}

void config_cache::host_inserted(std::int64_t host_id) {
    std::lock_guard lock(mu_);
    if (in_)
        in_->members.erase(host_id);
}

bool config_cache::loaded() const {
    std::lock_guard lock(mu_);
    return in_ != nullptr;
}

} // namespace flotilla::service
