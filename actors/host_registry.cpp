#include "actors/host_registry.hpp"

#include "actors/campaign_actor.hpp"
#include "actors/guard.hpp"
#include "actors/messages.hpp"
#include "actors/persistence_actor.hpp"
#include "actors/registry_store.hpp"
#include "service/hosts.hpp"

#include <caf/all.hpp>
#include <deque>
#include <spdlog/spdlog.h>

namespace flotilla::actors {

namespace {

/// The registry actor's state: the rules (with the campaign directory) plus the
/// seen times on their way to the store.
struct registry_actor_state : host_registry_state {
    campaign_settings campaign_timers;
    std::deque<std::pair<std::int64_t, micros>> seen_backlog; ///< taken, not yet stored
    bool seen_writing = false;                  ///< a chunk is with the persistence actor
    std::vector<timed_effects> results_backlog; ///< check-in results not yet handed over
    std::size_t results_backlog_bytes = 0;
    bool results_writing = false; ///< a batch of results is with the persistence actor
};

using registry_self = caf::stateful_actor<registry_actor_state>*;

/// Check-in results waiting for the store are handed over at the latest when
/// they hold this many bytes.
constexpr std::size_t max_results_batch_bytes = std::size_t{4} << 20;

/// Hands an acknowledged write to the persistence actor and calls `next` once it
/// has it (written, kept or given up on) or does not answer in time.
void hand_over(registry_self self, const caf::actor& persistence, acked_write w,
               void (*next)(registry_self, const caf::actor&)) {
    auto what = w.what;
    self->request(persistence, store_answer_timeout, acked_atom::value, std::move(w))
        .then(guarded("host_registry",
                      [self, persistence, next](acked_atom) { next(self, persistence); }),
              guarded("host_registry", [self, persistence, next, what](caf::error& e) {
                  spdlog::warn("{}: the store did not take it in time ({}); handing it the next",
                               what, caf::to_string(e));
                  next(self, persistence);
              }));
}

/// Hands the next chunk of seen times to the store, and the one after once the
/// persistence actor answers that it has it (or does not answer in time).
void write_seen_chunk(registry_self self, const caf::actor& persistence) {
    auto& st = self->state;
    st.seen_writing = !st.seen_backlog.empty();
    if (!st.seen_writing)
        return;
    const auto n =
        std::min(std::max<std::size_t>(st.settings().seen_chunk_rows, 1), st.seen_backlog.size());
    std::vector<std::pair<std::int64_t, micros>> chunk(st.seen_backlog.begin(),
                                                       st.seen_backlog.begin() + n);
    st.seen_backlog.erase(st.seen_backlog.begin(), st.seen_backlog.begin() + n);
    hand_over(self, persistence, seen_times_write(std::move(chunk)), write_seen_chunk);
}

/// Hands the check-in results waiting to the store as one batch, and the next
/// batch once the persistence actor has it: under load the batches grow (group
/// commit), at rest each check-in's results go at once.
void write_results(registry_self self, const caf::actor& persistence) {
    auto& st = self->state;
    st.results_writing = !st.results_backlog.empty();
    if (!st.results_writing)
        return;
    auto batch = std::move(st.results_backlog);
    st.results_backlog.clear();
    st.results_backlog_bytes = 0;
    hand_over(self, persistence,
              results_write(self->address(), std::move(batch), st.settings().config_cache),
              write_results);
}

/// Asks the persistence actor for the label and policy catalogue. Taken in the
/// response handler, not re-sent: a catalogue pushed by a later spec apply must
/// not be overtaken by this older one.
void load_catalog(registry_self self, const caf::actor& persistence) {
    self->request(persistence, store_answer_timeout, ask_atom::value,
                  make_store_query([](storage::store& st) { return st.load_query_catalog(); }))
        .then(guarded("host_registry",
                      [self](expected<storage::query_catalog>& c) {
                          if (!c)
                              return spdlog::warn("cannot load the label/policy catalogue: {}",
                                                  c.err().message);
                          self->state.set_catalog(std::move(*c));
                      }),
              guarded("host_registry", [](caf::error& e) {
                  spdlog::warn("the label/policy catalogue did not come: {}", caf::to_string(e));
              }));
}

/// Deleted hosts leave the registry and every campaign that targeted them.
void remove_hosts(registry_self self, const std::vector<std::int64_t>& ids) {
    for (auto& c : self->state.forget_hosts(ids))
        self->send(c, hosts_removed_msg{ids});
}

/// Host expiry: asks the store for the cutoff (off unless the app config enables
/// it), picks the hosts seen before it from the registry's own seen times (newer
/// than the store's by up to a flush), and deletes them.
void expire_hosts(registry_self self, const caf::actor& persistence) {
    const micros now = self->state.now();
    self->request(persistence, store_answer_timeout, ask_atom::value,
                  make_store_query(
                      [now](storage::store& st) { return service::host_expiry_cutoff(st, now); }))
        .then(guarded("host_registry",
                      [self, persistence](expected<std::optional<micros>>& cutoff) {
                          if (!cutoff)
                              return spdlog::warn("host expiry: {}", cutoff.err().message);
                          if (!*cutoff)
                              return;
                          auto ids = self->state.seen_before(**cutoff);
                          if (ids.empty())
                              return;
                          self->request(persistence, store_answer_timeout, ask_atom::value,
                                        make_store_query([ids](storage::store& st) {
                                            return service::delete_hosts(st, ids);
                                        }))
                              .then(guarded("host_registry",
                                            [self, ids](expected<void>& done) {
                                                if (!done)
                                                    return spdlog::warn("host expiry: {}",
                                                                        done.err().message);
                                                spdlog::info("host expiry: deleted {} hosts",
                                                             ids.size());
                                                remove_hosts(self, ids);
                                            }),
                                    guarded("host_registry", [](caf::error& e) {
                                        spdlog::warn("host expiry: {}", caf::to_string(e));
                                    }));
                      }),
              guarded("host_registry",
                      [](caf::error& e) { spdlog::warn("host expiry: {}", caf::to_string(e)); }));
}

caf::behavior host_registry(registry_self self, caf::actor persistence, checkin_settings settings,
                            std::vector<host> hosts) {
    self->state.campaign_timers = settings.campaigns;
    self->state.init(std::move(settings), hosts);
    hosts.clear();
    load_catalog(self, persistence);
    self->delayed_send(self, self->state.settings().seen_flush_interval, flush_atom::value);
    self->delayed_send(self, self->state.settings().catalog_refresh, catalog_atom::value);
    self->delayed_send(self, self->state.settings().host_expiry_check, expire_atom::value);
    return {
        guarded("host_registry",
                [=](registry_register_msg& m) {
                    self->state.register_host(m.h, m.previous_node_key);
                    m.done();
                }),
        guarded("host_registry",
                [=](registry_auth_msg& m) { m.reply(self->state.authenticate(m.node_key)); }),
        guarded("host_registry",
                [=](registry_read_msg& m) { m.reply(self->state.read(m.node_key)); }),
        guarded("host_registry",
                [=](registry_write_msg& m) {
                    auto fx = self->state.write(m.node_key, m.results);
                    if (!fx)
                        return m.reply(fx.err());
                    for (auto& r : fx->live)
                        if (const auto* c = self->state.campaigns().active(r.campaign_id);
                            c && c->actor)
                            self->send(c->actor, std::move(r));
                    fx->live.clear();
                    m.reply({});
                    if (fx->details.empty() && fx->labels.empty() && fx->policies.empty())
                        return;
                    auto& st = self->state;
                    st.results_backlog_bytes += effects_bytes(*fx);
                    st.results_backlog.push_back({std::move(*fx), st.now()});
                    // A batch past the bound goes now, beside the one in flight.
                    if (!st.results_writing || st.results_backlog_bytes > max_results_batch_bytes)
                        write_results(self, persistence);
                }),
        guarded("host_registry",
                [=](host_updated_msg& m) {
                    self->state.host_updated(m.id, m.platform, m.hostname, m.online_window_s);
                }),
        guarded("host_registry",
                [=](start_campaign_msg& m) {
                    auto counts = self->state.start_campaign(m.c.id, m.sql, m.host_ids);
                    auto& reg = self->state;
                    reg.campaigns().attach(m.c.id,
                                           spawn_campaign(self->system(), m.c, m.host_ids, counts,
                                                          caf::actor_cast<caf::actor>(self),
                                                          persistence, reg.campaign_timers));
                    m.reply(counts);
                }),
        guarded("host_registry",
                [=](stop_campaign_msg& m) { self->state.stop_campaign(m.id, m.reason); }),
        guarded("host_registry",
                [=](find_campaign_msg& m) { return self->state.campaigns().find(m.id); }),
        guarded("host_registry", [=](counts_msg& m) { return self->state.counts(m.host_ids); }),
        guarded("host_registry",
                [=](storage::query_catalog& c) { self->state.set_catalog(std::move(c)); }),
        guarded("host_registry",
                [=](flush_atom) {
                    auto seen = self->state.take_seen();
                    auto& backlog = self->state.seen_backlog;
                    backlog.insert(backlog.end(), seen.begin(), seen.end());
                    if (!self->state.seen_writing)
                        write_seen_chunk(self, persistence);
                    self->delayed_send(self, self->state.settings().seen_flush_interval,
                                       flush_atom::value);
                }),
        guarded("host_registry",
                [=](expire_atom) {
                    expire_hosts(self, persistence);
                    self->delayed_send(self, self->state.settings().host_expiry_check,
                                       expire_atom::value);
                }),
        // Hosts deleted elsewhere (DELETE /hosts): answered once they are forgotten.
        guarded("host_registry",
                [=](hosts_removed_msg& m) {
                    remove_hosts(self, m.ids);
                    return m.ids.size();
                }),
        // Hosts moved to another team (a transfer, a deleted team): answered
        // once their entries carry it.
        guarded("host_registry",
                [=](hosts_team_msg& m) { return self->state.set_team(m.ids, m.team_id); }),
        guarded("host_registry",
                [=](catalog_atom) {
                    load_catalog(self, persistence);
                    self->delayed_send(self, self->state.settings().catalog_refresh,
                                       catalog_atom::value);
                }),
    };
}

} // namespace

caf::actor spawn_host_registry(caf::actor_system& sys, caf::actor persistence,
                               checkin_settings settings, std::vector<host> hosts) {
    return sys.spawn(host_registry, std::move(persistence), std::move(settings), std::move(hosts));
}

void registry_register(const caf::actor& registry, host h, std::string previous_node_key,
                       std::function<void()> done) {
    caf::anon_send(registry, registry_register_msg{std::move(h), std::move(previous_node_key),
                                                   std::move(done)});
}

void registry_authenticate(const caf::actor& registry, std::string node_key, auth_reply reply) {
    caf::anon_send(registry, registry_auth_msg{std::move(node_key), std::move(reply)});
}

void registry_read(const caf::actor& registry, std::string node_key, read_reply reply) {
    caf::anon_send(registry, registry_read_msg{std::move(node_key), std::move(reply)});
}

void registry_write(const caf::actor& registry, std::string node_key,
                    std::vector<query_result> results, write_reply reply) {
    caf::anon_send(registry,
                   registry_write_msg{std::move(node_key), std::move(results), std::move(reply)});
}

} // namespace flotilla::actors
