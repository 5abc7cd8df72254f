#pragma once
/// Design: `api` is what the transport calls for every request. It applies the
/// setup gate, finds the route and hands the request to a handler. Handlers only
/// translate: they decode the body, then message the persistence actor with a
/// closure that does the store work and answers through the responder, so no
/// I/O thread ever waits on the store.

#include "actors/subscriber_actor.hpp"
#include "http/message.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/sockjs_sessions.hpp"
#include "model/app_config.hpp"
#include "model/user.hpp"
#include "service/config_cache.hpp"
#include "service/session.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_cast.hpp>
#include <caf/fwd.hpp>

namespace flotilla::http {

struct route_handler;

/// The authenticated caller of a request.
/// The signed-in user behind a request (service/session.hpp).
using viewer = service::viewer;

class api {
public:
    /// `clock` is the time source (now_micros when empty); tests inject their own.
    api(caf::actor_system& sys, caf::actor persistence, bool setup_done, clock_fn clock = {});

    /// The transport's entry point.
    void handle(request req, responder reply);
    /// The transport's entry point for WebSocket upgrades (results_stream.cpp).
    upgrade_decision upgrade(const request& req, std::shared_ptr<ws_connection> conn);

    // --- for handlers ---
    /// Runs `job` on the persistence actor; the job answers by itself.
    void on_store(std::function<void(storage::store&)> job);
    /// Runs `fn` on the persistence actor; its response goes to `reply`.
    void with_store(responder reply, std::function<response(storage::store&)> fn);
    /// Authenticates the bearer token, then runs `fn` on the persistence actor;
    /// a user whose password reset is required gets 401 unless `during_reset`.
    void authenticated(const request& req, responder reply,
                       std::function<response(storage::store&, const viewer&)> fn,
                       bool during_reset = false);
    /// Runs CPU-heavy work off the I/O and scheduler threads.
    void off_thread(std::function<void()> fn);

    micros now() const { return clock_(); }
    const clock_fn& clock() const { return clock_; }
    caf::actor_system& system() { return sys_; }
    caf::actor persistence() const { return caf::actor_cast<caf::actor>(persistence_); }
    sockjs_sessions& sockjs() { return *sockjs_; }
    /// The actors the osquery endpoints talk to (held weakly, like persistence).
    void attach_agent_actors(const caf::actor& registry, const caf::actor& log_writer);
    caf::actor registry() const { return caf::actor_cast<caf::actor>(registry_); }
    caf::actor log_writer() const { return caf::actor_cast<caf::actor>(log_writer_); }
    /// On the persistence actor, after a commit that changed labels or policies:
    /// the host registry gets the new catalogue before the change is answered.
    void catalog_changed(storage::store& st);
    /// The agents' configs, served from memory (service/config_cache.hpp).
    const std::shared_ptr<service::config_cache>& config_cache() const { return config_cache_; }
    void set_config_cache(std::shared_ptr<service::config_cache> c) {
        config_cache_ = std::move(c);
    }
    /// What GET /config reports read-only (the instance sets it at start).
    const server_facts& facts() const { return facts_; }
    void set_facts(server_facts f) { facts_ = std::move(f); }

    bool setup_done() const { return setup_done_; }
    void mark_setup_done() { setup_done_ = true; }
    rate_limiter& login_limiter() { return login_limiter_; }
    /// How often SockJS subscribers send `h` (tests make it short).
    std::chrono::milliseconds heartbeat_interval() const { return heartbeat_; }
    void set_heartbeat_interval(std::chrono::milliseconds h) { heartbeat_ = h; }
    /// The route table's method + pattern list (the robustness test checks its
    /// own route list against it).
    std::vector<std::pair<std::string, std::string>> routes_for_test() const {
        return router_.routes();
    }

private:
    /// A route's handler as the router calls it (a signed-in one authenticates first).
    handler bind(route_handler h);

    caf::actor_system& sys_;
    /// Weak: the instance owns the actor, and the actor system's shutdown waits
    /// until no strong handle is left.
    caf::actor_addr persistence_;
    caf::actor_addr registry_;
    caf::actor_addr log_writer_;
    std::unique_ptr<sockjs_sessions> sockjs_ = std::make_unique<sockjs_sessions>();
    std::shared_ptr<service::config_cache> config_cache_ =
        std::make_shared<service::config_cache>();
    std::atomic<bool> setup_done_;
    clock_fn clock_;
    rate_limiter login_limiter_{10, 9};
    std::chrono::milliseconds heartbeat_ = actors::heartbeat_interval;
    router router_;
    server_facts facts_;
};

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive, exactly
/// two space-separated parts), or "" when there is none.
std::string bearer_token(const request& req);

/// The 500 for an exception that escaped a handler.
response internal_error(const std::exception& e);

/// The path part of a request target.
std::string_view target_path(std::string_view target);

} // namespace flotilla::http
