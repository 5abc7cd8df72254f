#include "actors/persistence_actor.hpp"

#include "actors/guard.hpp"
#include "actors/messages.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace flotilla::actors {
namespace {

struct persistence_state {
    static inline const char* name = "persistence";
    std::shared_ptr<storage::store> store;
    std::shared_ptr<deferred_counters> counters;
    std::unique_ptr<deferred_writes> kept;
    std::chrono::milliseconds retry_interval{};
    bool retry_scheduled = false;

    ~persistence_state() {
        if (kept && !kept->empty())
            spdlog::error("{} acknowledged store writes ({} bytes) were never written: the store "
                          "was unavailable until shutdown",
                          kept->size(), kept->bytes());
    }

    /// Runs a job; one that throws still answers through its `failed` handle.
    void on_job(store_job& job) {
        std::string why;
        try {
            job.run(*store);
            return;
        } catch (const std::exception& e) {
            why = e.what();
        } catch (...) {
            why = "unknown exception";
        }
        ++counters->job_exceptions;
        spdlog::error("persistence job failed: {}", why);
        if (job.failed) {
            try {
                job.failed(error::backend("internal error: " + why));
            } catch (...) {
                spdlog::error("persistence job's failure handler threw");
            }
        }
    }

    void sweep() {
        auto removed = store->delete_expired_sessions(now_micros());
        if (!removed)
            spdlog::warn("session sweep failed: {}", removed.err().message);
        else if (*removed > 0)
            spdlog::debug("swept {} expired sessions", *removed);
    }
};

using persistence_self = caf::stateful_actor<persistence_state>*;

/// Retries kept writes soon (at once when the last turn made progress).
void schedule_retry(persistence_self self, bool now) {
    auto& st = self->state;
    if (st.retry_scheduled || st.kept->empty())
        return;
    st.retry_scheduled = true;
    if (now)
        self->send(self, retry_atom::value);
    else
        self->delayed_send(self, st.retry_interval, retry_atom::value);
}

caf::behavior persistence_actor(persistence_self self, std::shared_ptr<storage::store> store,
                                persistence_options opts) {
    auto& st = self->state;
    st.counters = opts.counters ? opts.counters : std::make_shared<deferred_counters>();
    st.kept = std::make_unique<deferred_writes>(opts.max_deferred_bytes, st.counters);
    st.store = std::move(store);
    self->state.retry_interval = opts.retry_interval;
    self->delayed_send(self, session_sweep_interval, sweep_atom::value);
    return {
        guarded("persistence", [=](job_atom, store_job& job) { self->state.on_job(job); }),
        guarded("persistence",
                [=](acked_atom, acked_write& w) {
                    self->state.kept->submit(*self->state.store, std::move(w));
                    schedule_retry(self, false);
                }),
        guarded("persistence",
                [=](retry_atom) {
                    self->state.retry_scheduled = false;
                    const auto n =
                        self->state.kept->retry(*self->state.store, deferred_writes_per_turn);
                    schedule_retry(self, n > 0);
                }),
        guarded("persistence",
                [=](sweep_atom) {
                    self->state.sweep();
                    self->delayed_send(self, session_sweep_interval, sweep_atom::value);
                }),
    };
}

} // namespace

caf::actor spawn_persistence_actor(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                                   persistence_options opts) {
    return sys.spawn<caf::detached>(persistence_actor, std::move(store), std::move(opts));
}

void store_acked(const caf::actor& persistence, acked_write w) {
    caf::anon_send(persistence, acked_atom::value, std::move(w));
}

void run_detached(caf::actor_system& sys, std::function<void()> fn) {
    sys.spawn<caf::detached>([fn = std::move(fn)] { fn(); });
}

} // namespace flotilla::actors
