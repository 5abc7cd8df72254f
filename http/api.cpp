#include "http/api.hpp"

#include "actors/host_registry.hpp"
#include "actors/messages.hpp"
#include "actors/persistence_actor.hpp"
#include "http/errors.hpp"
#include "http/routes.hpp"
#include "model/secrets.hpp"

#include <caf/all.hpp>

namespace flotilla::http {

std::string_view target_path(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string bearer_token(const request& req) {
    std::string_view h = req.header("authorization");
    auto space = h.find(' ');
    if (space == std::string_view::npos || h.find(' ', space + 1) != std::string_view::npos)
        return {};
    std::string scheme(h.substr(0, space));
    for (auto& c : scheme)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "bearer")
        return {};
    return std::string(h.substr(space + 1));
}

api::api(caf::actor_system& sys, caf::actor persistence, bool setup_done, clock_fn clock)
    : sys_(sys), persistence_(persistence.address()), setup_done_(setup_done),
      clock_(clock ? std::move(clock) : clock_fn(now_micros)) {
    for (const auto& def : route_table())
        for (const auto& path : route_paths(def))
            router_.add(std::string(def.method), path, bind(def.handler), def.when);
}

namespace {

/// Whether a signed-in request may change what agents' configs are made of:
/// agent options (config, teams), packs, their queries and labels. Such a
/// request invalidates the config cache before it is answered.
bool may_change_agent_configs(const request& req) {
    if (req.method == "GET" || req.method == "HEAD")
        return false;
    const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
    for (std::string_view part : {"/config", "/spec/", "/teams", "/fleets", "/labels", "/packs"})
        if (path.find(part) != std::string_view::npos)
            return true;
    const bool queries = path.find("/queries") != std::string_view::npos ||
                         path.find("/reports") != std::string_view::npos;
    return queries && path.find("/run") == std::string_view::npos; // live queries change nothing
}

} // namespace

handler api::bind(route_handler h) {
    if (h.open)
        return [this, fn = h.open](const request& req, const path_params& p, responder reply) {
            fn(*this, req, p, std::move(reply));
        };
    return [this, fn = h.session, during_reset = h.during_reset](
               const request& req, const path_params& p, responder reply) {
        if (may_change_agent_configs(req))
            reply = [this, cache = config_cache_, reply = std::move(reply)](response r) {
                // After the change's commit, before its answer: the next config
                // fetch loads the inputs again (behind this on the persistence actor).
                cache->invalidate();
                on_store([cache](storage::store& st) { (void)cache->load(st); });
                reply(std::move(r));
            };
        auto job = fn(*this, req, p, reply); // decoded before authentication, as Fleet does
        if (!job)
            return reply(to_response(job.err()));
        authenticated(req, std::move(reply), std::move(*job), during_reset);
    };
}

void api::handle(request req, responder reply) {
    // The setup gate (fleet-behaviour.md §2), from the route table: before the
    // first user only setup and the osquery routes exist; afterwards setup does not.
    auto m = router_.find(req.method, req.target);
    const bool exists =
        m.when && (*m.when == gate::always || (*m.when == gate::before_setup) == !setup_done_);
    if (!exists && (m.when || !setup_done_))
        return reply(to_response({errc::route_not_found, "404 page not found", {}}));
    if (!m.target)
        return reply(to_response(*m.failure));
    // The exception boundary of every handler: the transport's responder answers
    // once, so this 500 is ignored when the handler has answered already; the
    // transport logs it with the route.
    try {
        (*m.target)(req, m.params, reply);
    } catch (const std::exception& e) {
        reply(internal_error(e));
    } catch (...) {
        reply(to_response(error::backend("internal error")));
    }
}

response internal_error(const std::exception& e) {
    return to_response(error::backend(std::string("internal error: ") + e.what()));
}

void api::attach_agent_actors(const caf::actor& registry, const caf::actor& log_writer) {
    registry_ = registry.address();
    log_writer_ = log_writer.address();
}

void api::on_store(std::function<void(storage::store&)> job) {
    if (auto p = caf::actor_cast<caf::actor>(persistence_))
        caf::anon_send(p, actors::job_atom::value, actors::store_job{std::move(job)});
    // Past shutdown the job is dropped; its responder answers nothing, and the
    // transport closes the connection.
}

void api::with_store(responder reply, std::function<response(storage::store&)> fn) {
    on_store([fn = std::move(fn), reply = std::move(reply)](storage::store& s) {
        response r;
        try {
            r = fn(s);
        } catch (const std::exception& e) {
            r = internal_error(e);
        }
        if (!r.is_deferred())
            reply(std::move(r));
    });
}

void api::authenticated(const request& req, responder reply,
                        std::function<response(storage::store&, const viewer&)> fn,
                        bool during_reset) {
    std::string token = bearer_token(req);
    if (token.empty())
        return reply(to_response({errc::missing_token, "Authorization header required", {}}));
    with_store(std::move(reply),
               [this, token = std::move(token), fn = std::move(fn),
                during_reset](storage::store& s) -> response {
                   auto v = service::authenticate(s, token, now());
                   if (!v)
                       return to_response(v.err());
                   if (!during_reset && service::reset_required(v->u))
                       return to_response({errc::reset_required, "password reset required", {}});
                   return fn(s, *v);
               });
}

void api::catalog_changed(storage::store& st) {
    if (auto r = registry())
        actors::registry_reload_catalog(r, st);
}

void api::off_thread(std::function<void()> fn) {
    actors::run_detached(sys_, std::move(fn));
}

} // namespace flotilla::http
