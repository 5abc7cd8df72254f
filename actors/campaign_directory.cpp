#include "actors/campaign_directory.hpp"

#include "model/campaign.hpp"

#include <algorithm>

namespace flotilla::actors {

void campaign_directory::add(std::int64_t id, std::string sql, std::vector<std::int64_t> host_ids) {
    std::sort(host_ids.begin(), host_ids.end()); // targeting() searches them
    active_[id] = {std::move(sql), std::move(host_ids), {}};
}

void campaign_directory::attach(std::int64_t id, caf::actor a) {
    if (auto it = active_.find(id); it != active_.end())
        it->second.actor = std::move(a);
}

const campaign_directory::entry* campaign_directory::active(std::int64_t id) const {
    auto it = active_.find(id);
    return it == active_.end() ? nullptr : &it->second;
}

std::optional<campaign_directory::entry> campaign_directory::stop(std::int64_t id,
                                                                  std::string reason) {
    auto it = active_.find(id);
    if (it == active_.end())
        return std::nullopt;
    entry e = std::move(it->second);
    active_.erase(it);
    stopped_[id] = std::move(reason);
    return e;
}

std::optional<std::string> campaign_directory::stopped_reason(std::int64_t id) const {
    auto it = stopped_.find(id);
    if (it == stopped_.end())
        return std::nullopt;
    return it->second;
}

found_campaign_msg campaign_directory::find(std::int64_t id) const {
    if (const auto* e = active(id); e && e->actor)
        return {e->actor, {}};
    if (auto why = stopped_reason(id))
        return {{}, *why};
    return {{}, "cannot find campaign for ID " + std::to_string(id)};
}

std::vector<std::int64_t> campaign_directory::targeting(std::int64_t host_id) const {
    std::vector<std::int64_t> out;
    for (const auto& [id, c] : active_)
        if (std::binary_search(c.host_ids.begin(), c.host_ids.end(), host_id))
            out.push_back(id);
    return out;
}

std::vector<caf::actor> campaign_directory::remove_hosts(const std::vector<std::int64_t>& ids) {
    std::vector<caf::actor> out;
    for (auto& [id, c] : active_) {
        const auto before = c.host_ids.size();
        erase_ids(c.host_ids, ids); // keeps them sorted
        if (c.host_ids.size() < before && c.actor)
            out.push_back(c.actor);
    }
    return out;
}

} // namespace flotilla::actors
