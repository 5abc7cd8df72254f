/// The osquery TLS endpoints (fleet-behaviour.md §6): enroll, config,
/// distributed/read, distributed/write and log, under /api/v1/osquery and the
/// unversioned /api/osquery. Handlers decode and hand over to the host registry
/// (check-ins), the persistence actor (enroll, config) and the log writer.

#include "actors/host_registry.hpp"
#include "actors/log_writer.hpp"
#include "actors/persistence_actor.hpp"
#include "http/agent_codec.hpp"
#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "model/json.hpp"
#include "service/agents.hpp"

#include <boost/json.hpp>

namespace flotilla::http {
namespace {

namespace bj = boost::json;

error actor_gone() {
    return error::backend("the check-in service is shutting down");
}

/// What every node-key endpoint starts from: the decoded body, the node key and
/// the host registry.
struct agent_call {
    bj::object body;
    std::string node_key;
    caf::actor registry;
};

expected<agent_call> begin_agent_call(api& a, const request& req) {
    auto body = decode_agent_body(req.body, req.header("content-encoding"));
    if (!body)
        return body.err();
    auto key = decode_node_key(*body);
    if (!key)
        return key.err();
    auto registry = a.registry();
    if (!registry)
        return actor_gone();
    return agent_call{std::move(*body), std::move(*key), std::move(registry)};
}

/// The node key comes before anything else in the body: a request whose rest
/// does not decode is answered node_invalid unless its key is valid, and only
/// then with the decoding error.
void refuse_undecodable(const agent_call& call, error e, responder reply) {
    actors::registry_authenticate(call.registry, call.node_key,
                                  [reply, e = std::move(e)](expected<actors::host_ref> ref) {
                                      reply(to_response(ref ? e : ref.err()));
                                  });
}

} // namespace

namespace handlers {

// --- POST /enroll ----------------------------------------------------------------------

void enroll(api& a, const request& req, const path_params&, responder reply) {
    auto body = decode_agent_body(req.body, req.header("content-encoding"));
    if (!body)
        return reply(to_response(body.err()));
    auto decoded = decode_enroll(*body);
    if (!decoded)
        return reply(to_response(decoded.err()));
    auto persistence = a.persistence();
    if (!persistence)
        return reply(to_response(actor_gone()));
    // Enrolled in a batch with the others waiting (persistence_actor.hpp).
    actors::enroll_job job;
    job.in = {std::move(decoded->secret), std::move(decoded->h)};
    job.now = a.now();
    job.done = [&a, reply](expected<service::enrollment> e) {
        if (!e)
            return reply(to_response(e.err()));
        auto registry = a.registry();
        if (!registry)
            return reply(to_response(actor_gone()));
        if (e->previous_node_key.empty())
            a.config_cache()->host_inserted(e->h.id);
        // Answer once the registry knows the key, so the agent's next request works.
        actors::registry_register(
            registry, std::move(e->h), std::move(e->previous_node_key),
            [reply, node_key = std::move(e->node_key)] {
                reply(response::json(200, bj::object{{"node_key", node_key}}));
            });
    };
    actors::store_enroll(persistence, std::move(job));
}

// --- POST /config ------------------------------------------------------------------------

void config(api& a, const request& req, const path_params&, responder reply) {
    auto call = begin_agent_call(a, req);
    if (!call)
        return reply(to_response(call.err()));
    actors::registry_authenticate(
        call->registry, call->node_key, [&a, reply](expected<actors::host_ref> ref) {
            if (!ref)
                return reply(to_response(ref.err()));
            // From memory (service/config_cache.hpp); the store only after a change.
            auto cache = a.config_cache();
            if (auto body = cache->find(ref->id, ref->team_id, ref->platform))
                return reply(response::json_text(200, *body));
            a.with_store(reply, [cache, ref = *ref](storage::store& st) -> response {
                (void)cache->load(st);
                if (auto body = cache->find(ref.id, ref.team_id, ref.platform))
                    return response::json_text(200, *body);
                // Not cacheable now (before setup, or overtaken by a change).
                auto cfg = service::agent_config(st, ref.id, ref.team_id, ref.platform);
                return cfg ? response::json(200, *cfg) : to_response(cfg.err());
            });
        });
}

// --- POST /distributed/read --------------------------------------------------------------

void distributed_read(api& a, const request& req, const path_params&, responder reply) {
    auto call = begin_agent_call(a, req);
    if (!call)
        return reply(to_response(call.err()));
    actors::registry_read(call->registry, std::move(call->node_key),
                          [reply](expected<actors::read_answer> ans) {
                              if (!ans)
                                  return reply(to_response(ans.err()));
                              reply(response::json(200, encode_read(*ans)));
                          });
}

// --- POST /distributed/write -------------------------------------------------------------

void distributed_write(api& a, const request& req, const path_params&, responder reply) {
    auto call = begin_agent_call(a, req);
    if (!call)
        return reply(to_response(call.err()));
    auto results = decode_write(call->body);
    if (!results)
        return refuse_undecodable(*call, results.err(), std::move(reply));
    actors::registry_write(call->registry, std::move(call->node_key), std::move(*results),
                           [reply](expected<void> ok) {
                               reply(ok ? response::empty_object() : to_response(ok.err()));
                           });
}

// --- POST /log ------------------------------------------------------------------------------

void log(api& a, const request& req, const path_params&, responder reply) {
    auto call = begin_agent_call(a, req);
    if (!call)
        return reply(to_response(call.err()));
    auto decoded = decode_log(call->body);
    if (!decoded)
        return refuse_undecodable(*call, decoded.err(), std::move(reply));
    actors::registry_authenticate(
        call->registry, call->node_key,
        [&a, reply, kind = decoded->kind,
         lines = std::move(decoded->lines)](expected<actors::host_ref> ref) mutable {
            if (!ref)
                return reply(to_response(ref.err()));
            if (auto writer = a.log_writer(); writer && !lines.empty())
                actors::write_log_lines(writer, kind, std::move(lines));
            reply(response::empty_object());
        });
}

} // namespace handlers

} // namespace flotilla::http
