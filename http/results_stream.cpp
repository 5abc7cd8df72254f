/// The live query results stream (fleet-behaviour.md §5): the raw WebSocket at
/// /api/v1/fleet/results/websocket (bare JSON both ways) and SockJS's websocket
/// transport at /api/v1/fleet/results/{server}/{session}/websocket (SockJS
/// framing), each also under /api/latest (current fleetctl). Each connection gets a subscriber
/// actor; this file only adapts framing and checks the Origin.

#include "actors/subscriber_actor.hpp"
#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/sockjs_framing.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <caf/all.hpp>
#include <sodium.h>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

/// The results stream's paths, as 2022's (/api/v1) and current fleetctl (/api/latest) spell them.
constexpr std::string_view results_prefixes[] = {"/api/v1/fleet/results/",
                                                 "/api/latest/fleet/results/"};

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// gorilla's rule: an Origin whose host[:port] differs from Host is refused.
bool origin_allowed(const request& req) {
    const std::string_view origin = req.header("origin");
    if (origin.empty())
        return true;
    auto u = boost::urls::parse_absolute_uri(origin);
    if (!u)
        return false;
    return lower(u->encoded_authority()) == lower(req.header("host"));
}

using receiver_fn = void (sockjs_sessions::*)(const std::string&, responder,
                                              const sockjs_sessions::spawn_fn&);

/// SockJS's XHR transports: a poll is held until there is something to answer;
/// a streaming response carries frames until its byte limit.
void xhr(api& a, const path_params& p, responder reply, receiver_fn receive) {
    auto persistence = a.persistence();
    auto registry = a.registry();
    if (!persistence || !registry)
        return reply(to_response(error::backend("the live query service is shutting down")));
    (a.sockjs().*receive)(
        p.at("session"), reply, [&a, persistence, registry](auto send, auto close, auto heartbeat) {
            // An XHR session frames each batch into one SockJS frame.
            auto framed =
                [send = std::move(send)](std::shared_ptr<const std::vector<std::string>> msgs) {
                    send(*msgs);
                };
            return actors::spawn_subscriber(
                a.system(), persistence, registry,
                {std::move(framed), std::move(close), std::move(heartbeat)}, a.clock(),
                a.heartbeat_interval());
        });
}

} // namespace

void handlers::sockjs_poll(api& a, const request&, const path_params& p, responder reply) {
    xhr(a, p, std::move(reply), &sockjs_sessions::poll);
}

void handlers::sockjs_stream(api& a, const request&, const path_params& p, responder reply) {
    xhr(a, p, std::move(reply), &sockjs_sessions::stream);
}

void handlers::sockjs_send(api& a, const request& req, const path_params& p, responder reply) {
    reply(a.sockjs().send(p.at("session"), req.body));
}

/// SockJS's greeting and /info (the websocket transport is an upgrade, below).
void handlers::sockjs_greeting(api&, const request&, const path_params&, responder reply) {
    response res;
    res.body = "Welcome to SockJS!\n";
    res.content_type = "text/plain; charset=UTF-8";
    reply(std::move(res));
}

void handlers::sockjs_info(api&, const request&, const path_params&, responder reply) {
    auto res = response::json(
        200, bj::object{{"websocket", true},
                        {"cookie_needed", false},
                        {"origins", bj::array{"*:*"}},
                        {"entropy", static_cast<std::int64_t>(randombytes_random() & 0x7fffffff)}});
    res.headers.emplace_back("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0");
    reply(std::move(res));
}

upgrade_decision api::upgrade(const request& req, std::shared_ptr<ws_connection> conn) {
    const auto path = target_path(req.target);
    bool raw = false, sockjs = false;
    for (auto prefix : results_prefixes) {
        if (!path.starts_with(prefix))
            continue;
        raw = path.substr(prefix.size()) == "websocket";
        if (!raw && path.ends_with("/websocket")) {
            auto segs = decoded_segments(path);
            sockjs = segs && segs->size() == 7; // api v1 fleet results {server} {session} websocket
        }
    }
    if (!setup_done_ || (!raw && !sockjs))
        return to_response({errc::route_not_found, "404 page not found", {}});
    if (!origin_allowed(req))
        return to_response(error{errc::permission_denied, "origin not allowed", {}});
    auto persistence = caf::actor_cast<caf::actor>(persistence_);
    auto registry = caf::actor_cast<caf::actor>(registry_);
    if (!persistence || !registry)
        return to_response(error::backend("the live query service is shutting down"));

    std::weak_ptr<ws_connection> weak = conn;
    actors::subscriber_sink sink;
    if (raw) {
        sink.send = [weak](std::shared_ptr<const std::vector<std::string>> msgs) {
            if (auto c = weak.lock())
                c->send(std::move(msgs));
        };
        sink.close = [weak] {
            if (auto c = weak.lock())
                c->close();
        };
    } else {
        conn->send(std::string(sockjs::open_frame));
        conn->set_overflow_frame(std::string(sockjs::too_slow_frame));
        sink.send = [weak](std::shared_ptr<const std::vector<std::string>> msgs) {
            if (auto c = weak.lock())
                c->send(sockjs::messages_frame(*msgs)); // one SockJS frame carries them all
        };
        sink.close = [weak] {
            if (auto c = weak.lock()) {
                c->send(std::string(sockjs::go_away_frame));
                c->close();
            }
        };
        sink.heartbeat = [weak] {
            if (auto c = weak.lock())
                c->send(std::string(sockjs::heartbeat_frame));
        };
    }
    auto sub =
        actors::spawn_subscriber(sys_, persistence, registry, std::move(sink), clock_, heartbeat_);
    ws_handler h;
    if (raw) {
        h.on_text = [sub](std::string t) { actors::subscriber_text(sub, std::move(t)); };
    } else {
        // SockJS clients send a JSON array of strings, each one message.
        h.on_text = [sub](std::string t) {
            auto msgs = sockjs::decode_client_frame(t);
            if (!msgs)
                return actors::subscriber_text(sub, "not sockjs");
            for (auto& m : *msgs)
                actors::subscriber_text(sub, std::move(m));
        };
    }
    h.on_closed = [sub] { caf::anon_send_exit(sub, caf::exit_reason::user_shutdown); };
    return h;
}

} // namespace flotilla::http
