/// The osquery TLS endpoints (fleet-behaviour.md §6): enroll, config,
/// distributed/read, distributed/write and log, under /api/v1/osquery and the
/// unversioned /api/osquery. Handlers decode and hand over to the host registry
/// (check-ins), the persistence actor (enroll, config) and the log writer.

#include "actors/host_registry.hpp"
#include "actors/log_writer.hpp"
#include "http/agent_codec.hpp"
#include "http/api.hpp"
#include "http/errors.hpp"
#include "model/agent_config.hpp"
#include "model/json.hpp"
#include "model/secrets.hpp"

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

// --- POST /enroll ----------------------------------------------------------------------

void enroll(api& a, const request& req, responder reply) {
    auto body = decode_agent_body(req.body, req.header("content-encoding"));
    if (!body)
        return reply(to_response(body.err()));
    auto decoded = decode_enroll(*body);
    if (!decoded)
        return reply(to_response(decoded.err()));
    a.on_store([&a, secret = std::move(decoded->secret), h = std::move(decoded->h),
                reply](storage::store& st) mutable {
        auto s = secret.empty() ? expected<enroll_secret>(error::not_found("EnrollSecret", ""))
                                : st.enroll_secret_by_value(secret);
        if (!s)
            return reply(to_response(
                s.err().code == errc::not_found
                    ? error{errc::node_invalid, "enroll failed: no matching secret found", {}}
                    : s.err()));
        if (h.osquery_host_id.empty())
            return reply(to_response(
                {errc::node_invalid, "save enroll failed: missing osquery host identifier", {}}));
        const std::string node_key = random_base64(24);
        auto enrolled = st.enroll_host(h, node_key, s->team_id, a.now());
        if (!enrolled)
            return reply(to_response(enrolled.err()));
        auto registry = a.registry();
        if (!registry)
            return reply(to_response(actor_gone()));
        // Answer once the registry knows the key, so the agent's next request works.
        actors::registry_register(
            registry, std::move(enrolled->h), std::move(enrolled->previous_node_key),
            [reply, node_key] {
                reply(response::json(200, bj::object{{"node_key", node_key}}));
            });
    });
}

// --- POST /config ------------------------------------------------------------------------

void config(api& a, const request& req, responder reply) {
    auto call = begin_agent_call(a, req);
    if (!call)
        return reply(to_response(call.err()));
    actors::registry_authenticate(
        call->registry, call->node_key, [&a, reply](expected<actors::host_ref> ref) {
            if (!ref)
                return reply(to_response(ref.err()));
            a.with_store(reply, [ref = *ref](storage::store& st) -> response {
                std::optional<bj::value> options;
                if (ref.team_id)
                    if (auto t = st.team_by_id(*ref.team_id);
                        t && t->agent_options && t->agent_options->is_object() &&
                        !t->agent_options->get_object().empty())
                        options = t->agent_options;
                if (!options) {
                    auto cfg = st.load_app_config();
                    options = cfg ? cfg->agent_options : default_agent_options();
                }
                auto packs = st.packs_for_host(ref.id, ref.team_id);
                if (!packs)
                    return to_response(packs.err());
                return response::json(200, build_agent_config(*options, ref.platform, *packs));
            });
        });
}

// --- POST /distributed/read --------------------------------------------------------------

void distributed_read(api& a, const request& req, responder reply) {
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

void distributed_write(api& a, const request& req, responder reply) {
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

void log(api& a, const request& req, responder reply) {
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

} // namespace

void add_osquery_routes(api& a, router& r) {
    for (const std::string prefix : {"/api/v1/osquery", "/api/osquery"}) {
        r.add("POST", prefix + "/enroll",
              [&a](auto& req, auto&, auto reply) { enroll(a, req, reply); });
        r.add("POST", prefix + "/config",
              [&a](auto& req, auto&, auto reply) { config(a, req, reply); });
        r.add("POST", prefix + "/distributed/read",
              [&a](auto& req, auto&, auto reply) { distributed_read(a, req, reply); });
        r.add("POST", prefix + "/distributed/write",
              [&a](auto& req, auto&, auto reply) { distributed_write(a, req, reply); });
        r.add("POST", prefix + "/log", [&a](auto& req, auto&, auto reply) { log(a, req, reply); });
    }
}

} // namespace flotilla::http
