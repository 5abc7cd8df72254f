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

    void on_job(store_job& job) {
        try {
            job.run(*store);
        } catch (const std::exception& e) {
            spdlog::error("persistence job failed: {}", e.what());
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

caf::behavior persistence_actor(caf::stateful_actor<persistence_state>* self,
                                std::shared_ptr<storage::store> store) {
    self->state.store = std::move(store);
    self->delayed_send(self, session_sweep_interval, sweep_atom::value);
    return {
        guarded("persistence", [=](job_atom, store_job& job) { self->state.on_job(job); }),
        guarded("persistence",
                [=](sweep_atom) {
                    self->state.sweep();
                    self->delayed_send(self, session_sweep_interval, sweep_atom::value);
                }),
    };
}

} // namespace

caf::actor spawn_persistence_actor(caf::actor_system& sys, std::shared_ptr<storage::store> store) {
    return sys.spawn<caf::detached>(persistence_actor, std::move(store));
}

void run_detached(caf::actor_system& sys, std::function<void()> fn) {
    sys.spawn<caf::detached>([fn = std::move(fn)] { fn(); });
}

} // namespace flotilla::actors
