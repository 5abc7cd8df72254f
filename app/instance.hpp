#pragma once
/// One running Flotilla: the actor system, the persistence actor owning the
/// store, the API and the transport. `flotilla serve` runs one; integration
/// tests start several on port 0 in one process.

#include "actors/deferred_writes.hpp"
#include "actors/host_registry.hpp"
#include "actors/log_writer.hpp"
#include "actors/persistence_actor.hpp"
#include "actors/subscriber_actor.hpp"
#include "http/server.hpp"
#include "model/clock.hpp"
#include "service/config_cache.hpp"
#include "storage/store.hpp"

#include <memory>

namespace flotilla::app {

/// What an instance can be given besides the listener and the store.
struct instance_options {
    /// The time source for sessions, rate limits and check-ins (now_micros when empty).
    clock_fn clock;
    /// Detail, label and policy intervals and the check-in housekeeping.
    actors::checkin_settings checkin;
    /// Where osquery's result and status logs go.
    actors::log_files logs;
    /// How often SockJS subscribers send `h`.
    std::chrono::milliseconds sockjs_heartbeat = actors::heartbeat_interval;
    /// The bound on acknowledged writes kept while the store is unavailable.
    actors::persistence_options persistence;
};

class instance {
public:
    /// Starts the actors and binds the listener (serving starts with run()).
    static expected<std::unique_ptr<instance>> start(http::server_config net,
                                                     std::shared_ptr<storage::store> store,
                                                     instance_options opts = {});
    ~instance();

    unsigned short port() const;
    /// The transport's count of requests under way (tests wait on it).
    int requests_in_flight_for_test() const;
    /// Actors alive in this instance's actor system (tests: no subscriber outlives
    /// its connection).
    std::size_t running_actors_for_test() const;
    /// Stops the host registry (tests of the health endpoints).
    void stop_registry_for_test();
    /// The log writer's counters.
    const actors::log_counters& log_counters() const;
    /// What happened to acknowledged writes (kept, written late, dropped).
    const actors::deferred_counters& deferred_counters() const;
    /// How agents' config fetches were served (from the cache, rendered, loaded).
    const service::config_cache::counters& config_cache_stats() const;
    /// Shut down gracefully on SIGINT/SIGTERM.
    void handle_signals();
    /// Serves until shutdown; blocks.
    void run();
    /// Graceful shutdown (thread-safe); run() returns when done.
    void shutdown();

    struct parts;

private:
    explicit instance(std::unique_ptr<parts> p);
    std::unique_ptr<parts> p_;
};

} // namespace flotilla::app
