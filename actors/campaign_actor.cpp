#include "actors/campaign_actor.hpp"

#include "actors/guard.hpp"
#include "actors/memory.hpp"
#include "actors/messages.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace flotilla::actors {

namespace {

struct campaign_actor_state : campaign_state {
    std::vector<caf::actor> subscribers;
    bool ever_subscribed = false;
    bool done = false;
};

using self_ptr = caf::stateful_actor<campaign_actor_state>*;

void broadcast(self_ptr self, std::vector<std::string> texts) {
    if (texts.empty() || self->state.subscribers.empty())
        return;
    stream_msg m{std::make_shared<const std::vector<std::string>>(std::move(texts))};
    for (auto& s : self->state.subscribers)
        self->send(s, m);
}

void persist_status(const caf::actor& persistence, std::int64_t id, campaign_status s) {
    caf::anon_send(persistence, job_atom::value, store_job{[id, s](storage::store& st) {
                       if (auto ok = st.set_campaign_status(id, s, now_micros()); !ok)
                           spdlog::warn("campaign {}: cannot store status: {}", id,
                                        ok.err().message);
                   }});
}

/// Asks the registry for the targets' counts now; totals and status follow when changed.
void refresh_counts(self_ptr self, const caf::actor& registry) {
    self->request(registry, caf::infinite, counts_msg{self->state.hosts()})
        .then(guarded("campaign",
                      [=](host_counts counts) { broadcast(self, self->state.on_counts(counts)); }));
}

/// Ends the campaign: status 2, no longer handed out, every subscriber closed.
void finish(self_ptr self, const caf::actor& registry, const caf::actor& persistence,
            const std::string& reason) {
    if (self->state.done)
        return;
    self->state.done = true;
    const auto id = self->state.info().id;
    caf::anon_send(registry, stop_campaign_msg{id, reason});
    persist_status(persistence, id, campaign_status::complete);
    for (auto& s : self->state.subscribers)
        self->send(s, close_atom::value);
    memory_released(self->state.release());
    self->quit();
}

} // namespace

caf::actor spawn_campaign(caf::actor_system& sys, campaign c, std::vector<std::int64_t> hosts,
                          host_counts initial, caf::actor registry, caf::actor persistence,
                          campaign_settings settings) {
    return sys.spawn([=](self_ptr self) -> caf::behavior {
        self->state.init(c, hosts, initial, settings.max_replay_results, settings.max_replay_bytes);
        self->delayed_send(self, settings.subscribe_timeout, cancel_atom::value);
        self->delayed_send(self, settings.tick, tick_atom::value);
        self->monitor(registry); // the campaign ends with the registry (shutdown)
        self->set_down_handler(guarded("campaign", [=](caf::down_msg& m) {
            if (m.source == registry.address()) {
                memory_released(self->state.release());
                return self->quit();
            }
            auto& subs = self->state.subscribers;
            std::erase_if(subs, [&](const caf::actor& a) { return a.address() == m.source; });
            if (subs.empty())
                finish(self, registry, persistence,
                       "campaign " + std::to_string(c.id) + " has completed");
        }));
        return {
            guarded("campaign",
                    [=](subscribe_msg& m) {
                        if (m.user_id != self->state.info().user_id) {
                            self->send(m.subscriber, campaign_error_msg{"forbidden"});
                            return;
                        }
                        self->monitor(m.subscriber);
                        self->state.subscribers.push_back(m.subscriber);
                        if (!self->state.ever_subscribed) {
                            self->state.ever_subscribed = true;
                            persist_status(persistence, c.id, campaign_status::running);
                        }
                        self->send(m.subscriber,
                                   stream_msg{std::make_shared<const std::vector<std::string>>(
                                       self->state.on_subscribe())});
                    }),
            guarded("campaign",
                    [=](campaign_result& r) { broadcast(self, self->state.on_result(r)); }),
            guarded("campaign",
                    [=](host_counts& counts) { broadcast(self, self->state.on_counts(counts)); }),
            guarded("campaign",
                    [=](tick_atom) {
                        refresh_counts(self, registry);
                        self->delayed_send(self, settings.tick, tick_atom::value);
                    }),
            guarded("campaign",
                    [=](hosts_removed_msg& m) {
                        self->state.remove_hosts(m.ids);
                        refresh_counts(self, registry);
                    }),
            guarded("campaign",
                    [=](cancel_atom) {
                        if (self->state.ever_subscribed)
                            return;
                        finish(self, registry, persistence,
                               "campaign " + std::to_string(c.id) +
                                   " was cancelled: no subscriber within " +
                                   std::to_string(settings.subscribe_timeout.count() / 1000) + "s");
                    }),
        };
    });
}

} // namespace flotilla::actors
