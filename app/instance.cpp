#include "app/instance.hpp"

#include "actors/persistence_actor.hpp"
#include "http/api.hpp"
#include "service/hosts.hpp"

#include <caf/all.hpp>

namespace flotilla::app {

struct instance::parts {
    caf::actor_system_config caf_cfg;
    std::unique_ptr<caf::actor_system> sys;
    caf::actor persistence;
    caf::actor registry;
    caf::actor log_writer;
    std::shared_ptr<actors::log_counters> counters = std::make_shared<actors::log_counters>();
    std::shared_ptr<actors::deferred_counters> deferred;
    std::unique_ptr<http::api> routes;
    std::unique_ptr<http::server> net;

    /// Runs on every path, a failed start included. Actors first: once they are
    /// gone nothing can answer into the transport; the actor system's destructor
    /// waits until the persistence actor has exited and no strong handle is left.
    ~parts() {
        if (routes)
            routes->sockjs().clear();
        for (auto* a : {&registry, &log_writer, &persistence}) {
            if (*a)
                caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
            *a = nullptr;
        }
        sys.reset();
        net.reset();
    }
};

instance::instance(std::unique_ptr<parts> p) : p_(std::move(p)) {}

expected<std::unique_ptr<instance>> instance::start(http::server_config net,
                                                    std::shared_ptr<storage::store> store,
                                                    instance_options opts) {
    auto users = store->count_users();
    if (!users)
        return users.err();
    auto hosts = service::hosts_with_intervals(*store);
    if (!hosts)
        return hosts.err();
    if (!opts.checkin.clock)
        opts.checkin.clock = opts.clock ? opts.clock : clock_fn(now_micros);
    auto p = std::make_unique<parts>();
    p->caf_cfg.set("scheduler.max-threads", std::max(2u, std::thread::hardware_concurrency()));
    p->caf_cfg.set("scheduler.policy", caf::atom("sharing"));
    p->caf_cfg.set("logger.console", caf::atom("none"));
    p->sys = std::make_unique<caf::actor_system>(p->caf_cfg);
    if (!opts.persistence.counters)
        opts.persistence.counters = std::make_shared<actors::deferred_counters>();
    p->deferred = opts.persistence.counters;
    p->persistence =
        actors::spawn_persistence_actor(*p->sys, std::move(store), std::move(opts.persistence));
    auto configs = std::make_shared<service::config_cache>();
    opts.checkin.config_cache = configs;
    server_facts facts{opts.checkin.detail_interval, opts.checkin.policy_interval,
                       opts.logs.result_path, opts.logs.status_path};
    p->registry = actors::spawn_host_registry(*p->sys, p->persistence, std::move(opts.checkin),
                                              std::move(*hosts));
    p->log_writer = actors::spawn_log_writer(*p->sys, std::move(opts.logs), p->counters);
    p->routes =
        std::make_unique<http::api>(*p->sys, p->persistence, *users > 0, std::move(opts.clock));
    p->routes->attach_agent_actors(p->registry, p->log_writer);
    p->routes->set_config_cache(std::move(configs));
    p->routes->set_facts(std::move(facts));
    p->routes->set_heartbeat_interval(opts.sockjs_heartbeat);
    p->routes->sockjs().set_bound(net.max_queued);
    auto* routes = p->routes.get();
    p->net = std::make_unique<http::server>(
        std::move(net),
        [routes](http::request req, http::responder reply) {
            routes->handle(std::move(req), std::move(reply));
        },
        [routes](const http::request& req, std::shared_ptr<http::ws_connection> conn) {
            return routes->upgrade(req, std::move(conn));
        });
    p->net->on_shutdown([routes] { routes->sockjs().clear(); });
    if (auto ok = p->net->listen(); !ok)
        return ok.err();
    return std::unique_ptr<instance>(new instance(std::move(p)));
}

instance::~instance() = default;

unsigned short instance::port() const {
    return p_->net->port();
}
std::size_t instance::running_actors_for_test() const {
    return p_->sys->registry().running();
}
void instance::stop_registry_for_test() {
    caf::anon_send_exit(p_->registry, caf::exit_reason::user_shutdown);
}

const actors::log_counters& instance::log_counters() const {
    return *p_->counters;
}
const service::config_cache::counters& instance::config_cache_stats() const {
    return p_->routes->config_cache()->stats();
}

const actors::deferred_counters& instance::deferred_counters() const {
    return *p_->deferred;
}
int instance::requests_in_flight_for_test() const {
    return p_->net->requests_in_flight();
}
void instance::handle_signals() {
    p_->net->handle_signals();
}
void instance::run() {
    p_->net->run();
}
void instance::shutdown() {
    p_->net->shutdown();
}

} // namespace flotilla::app
