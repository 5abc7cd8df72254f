#include "actors/campaign_actor.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace flotilla::actors {

namespace bj = boost::json;

void campaign_state::init(campaign c, std::vector<std::int64_t> hosts, host_counts initial,
                          std::size_t max_replay_results, std::size_t max_replay_bytes) {
    c_ = c;
    hosts_ = std::move(hosts);
    counts_ = initial;
    max_results_ = max_replay_results;
    max_bytes_ = max_replay_bytes;
}

std::optional<std::string> campaign_state::status_if_changed() {
    // finished once actual >= expected, and never back (fleet-behaviour.md §5)
    if (actual_ >= counts_.online)
        finished_ = true;
    auto now = std::make_tuple(counts_.online, actual_, finished_);
    if (sent_status_ == now)
        return std::nullopt;
    sent_status_ = now;
    return bj::serialize(status_message(counts_.online, actual_, finished_));
}

std::optional<std::string> campaign_state::totals_if_changed() {
    host_counts t = counts_;
    t.new_hosts = 0;
    if (t == sent_totals_)
        return std::nullopt;
    sent_totals_ = t;
    return bj::serialize(totals_message(t));
}

std::vector<std::string> campaign_state::on_result(const campaign_result& r) {
    std::vector<std::string> out;
    out.push_back(bj::serialize(result_message(r)));
    ++actual_;
    history_bytes_ += out.back().size();
    history_.push_back(out.back());
    while (!history_.empty() && (history_.size() > max_results_ || history_bytes_ > max_bytes_)) {
        history_bytes_ -= history_.front().size();
        history_.pop_front();
        if (dropped_++ == 0)
            spdlog::warn("campaign {}: replay buffer over {} results or {} bytes; the oldest "
                         "are no longer replayed",
                         c_.id, max_results_, max_bytes_);
    }
    if (auto s = status_if_changed())
        out.push_back(std::move(*s));
    return out;
}

std::vector<std::string> campaign_state::on_counts(const host_counts& c) {
    counts_ = c;
    std::vector<std::string> out;
    if (auto t = totals_if_changed())
        out.push_back(std::move(*t));
    if (auto s = status_if_changed())
        out.push_back(std::move(*s));
    return out;
}

std::vector<std::string> campaign_state::on_subscribe() {
    std::vector<std::string> out;
    host_counts t = counts_;
    t.new_hosts = 0;
    if (!(t == host_counts{}))
        out.push_back(bj::serialize(totals_message(t)));
    if (actual_ >= counts_.online)
        finished_ = true;
    out.push_back(bj::serialize(status_message(counts_.online, actual_, finished_)));
    sent_totals_ = t;
    sent_status_ = std::make_tuple(counts_.online, actual_, finished_);
    if (dropped_ > 0)
        out.push_back(bj::serialize(error_message(
            "replay truncated: the first " + std::to_string(dropped_) +
            " results of this campaign are no longer buffered; later results follow")));
    out.insert(out.end(), history_.begin(), history_.end());
    return out;
}

std::size_t campaign_state::release() {
    const std::size_t freed = history_bytes_;
    std::deque<std::string>().swap(history_);
    history_bytes_ = 0;
    return freed;
}

} // namespace flotilla::actors
