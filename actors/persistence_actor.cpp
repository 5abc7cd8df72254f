#include "actors/persistence_actor.hpp"

#include "actors/guard.hpp"
#include "actors/messages.hpp"

#include <caf/all.hpp>
#include <optional>
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
    std::vector<enroll_job> enrolls; ///< waiting for the batch's flush
    bool enroll_flush_sent = false;

    ~persistence_state() {
        if (kept && !kept->empty())
            spdlog::error("{} acknowledged store writes ({} bytes) were never written: the store "
                          "was unavailable until shutdown",
                          kept->size(), kept->bytes());
    }

    /// Runs `f` against the store; what it threw, counted and logged as `what`'s.
    template <class F> std::optional<std::string> thrown_by(const char* what, F&& f) {
        std::string why;
        try {
            f(*store);
            return std::nullopt;
        } catch (const std::exception& e) {
            why = e.what();
        } catch (...) {
            why = "unknown exception";
        }
        ++counters->job_exceptions;
        spdlog::error("persistence {} failed: {}", what, why);
        return why;
    }

    /// Enrolls the waiting batch and answers each; what throws fails them all.
    void flush_enrolls() {
        if (enrolls.empty())
            return;
        auto batch = std::move(enrolls);
        enrolls.clear();
        std::vector<service::enroll_input> in;
        in.reserve(batch.size());
        micros now = 0;
        for (auto& j : batch) {
            in.push_back(std::move(j.in));
            now = std::max(now, j.now);
        }
        std::vector<expected<service::enrollment>> out;
        auto why = thrown_by("enrollment",
                             [&](storage::store& st) { out = service::enroll_hosts(st, in, now); });
        for (std::size_t i = 0; i < batch.size(); ++i) {
            try {
                batch[i].done(
                    why ? expected<service::enrollment>(error::backend("internal error: " + *why))
                        : std::move(out[i]));
            } catch (const std::exception& e) {
                spdlog::error("enrollment answer threw: {}", e.what());
            }
        }
    }

    /// Runs a job; one that throws still answers through its `failed` handle.
    void on_job(store_job& job) {
        auto why = thrown_by("job", job.run);
        if (!why || !job.failed)
            return;
        try {
            job.failed(error::backend("internal error: " + *why));
        } catch (...) {
            spdlog::error("persistence job's failure handler threw");
        }
    }

    /// Answers a question; one that throws is answered with an error.
    caf::message on_query(store_query& q) {
        caf::message answer;
        if (auto why = thrown_by("query", [&](storage::store& st) { answer = q.run(st); }))
            return caf::make_message(caf::make_error(caf::sec::runtime_error, *why));
        return answer;
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
    // Every other message first enrolls the batch waiting, so work runs in the
    // order it arrived.
    return {
        guarded("persistence",
                [=](enroll_atom, enroll_job& job) {
                    auto& s = self->state;
                    s.enrolls.push_back(std::move(job));
                    if (s.enrolls.size() >= max_enroll_batch)
                        s.flush_enrolls();
                    else if (!s.enroll_flush_sent) {
                        // Behind what is already in the mailbox: those join the batch.
                        s.enroll_flush_sent = true;
                        self->send(self, flush_atom::value);
                    }
                }),
        guarded("persistence",
                [=](flush_atom) {
                    self->state.enroll_flush_sent = false;
                    self->state.flush_enrolls();
                }),
        guarded("persistence",
                [=](job_atom, store_job& job) {
                    self->state.flush_enrolls();
                    self->state.on_job(job);
                }),
        guarded("persistence",
                [=](ask_atom, store_query& q) {
                    self->state.flush_enrolls();
                    return self->state.on_query(q);
                }),
        guarded("persistence",
                [=](acked_atom, acked_write& w) {
                    self->state.flush_enrolls();
                    self->state.kept->submit(*self->state.store, std::move(w));
                    schedule_retry(self, false);
                    return acked_atom::value; // written, kept or given up on: the sender goes on
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

void store_enroll(const caf::actor& persistence, enroll_job job) {
    caf::anon_send(persistence, enroll_atom::value, std::move(job));
}

void store_acked(const caf::actor& persistence, acked_write w) {
    caf::anon_send(persistence, acked_atom::value, std::move(w));
}

void run_detached(caf::actor_system& sys, std::function<void()> fn) {
    sys.spawn<caf::detached>([fn = std::move(fn)] { fn(); });
}

} // namespace flotilla::actors
