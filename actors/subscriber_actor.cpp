#include "actors/subscriber_actor.hpp"

#include "actors/guard.hpp"
#include "actors/messages.hpp"
#include "model/json.hpp"
#include "service/session.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <deque>

namespace flotilla::actors {

namespace {

namespace bj = boost::json;

enum class phase { auth, authenticating, select, selecting, streaming, closed };

struct subscriber_state {
    static inline const char* name = "subscriber";
    subscriber_sink sink;
    clock_fn clock;
    phase at = phase::auth;
    std::deque<bj::object> waiting; ///< client messages that arrived while busy
    std::optional<user> viewer;
};

using self_ptr = caf::stateful_actor<subscriber_state>*;

void fail(self_ptr self, const std::optional<std::string>& message) {
    if (self->state.at == phase::closed)
        return;
    if (message)
        self->state.sink.send({bj::serialize(error_message(*message))});
    self->state.sink.close();
    self->state.at = phase::closed;
}

void process(self_ptr self, const caf::actor& persistence, const caf::actor& registry);

void on_auth(self_ptr self, const bj::object& msg, const caf::actor& persistence) {
    const bj::value* type = msg.if_contains("type");
    if (!type || *type != "auth")
        return fail(self, std::nullopt); // Fleet closes without a message
    std::string token;
    if (const auto* data = msg.if_contains("data"); data && data->is_object())
        if (const auto* t = data->get_object().if_contains("token"); t && t->is_string())
            token = std::string(t->get_string());
    self->state.at = phase::authenticating;
    caf::actor me = caf::actor_cast<caf::actor>(self);
    caf::anon_send(
        persistence, job_atom::value,
        store_job{[me, token = std::move(token), clock = self->state.clock](storage::store& st) {
            // The REST API's rule: constant-time compare, idle expiry, touch.
            std::optional<user> u;
            if (auto v = service::authenticate(st, token, clock()))
                u = std::move(v->u);
            caf::anon_send(me, auth_result_msg{std::move(u)});
        }});
}

void on_select(self_ptr self, const bj::object& msg, const caf::actor& registry) {
    const bj::value* type = msg.if_contains("type");
    if (!type || *type != "select_campaign")
        return fail(self, "expected select_campaign");
    std::int64_t id = 0;
    if (const auto* data = msg.if_contains("data")) {
        if (!data->is_object())
            return fail(self, "error unmarshaling select_campaign data");
        if (const auto* cid = data->get_object().if_contains("campaign_id")) {
            if (cid->is_int64() || cid->is_uint64()) {
                auto n = json::to_int64(*cid);
                if (!n)
                    return fail(self, "error unmarshaling select_campaign data");
                id = *n;
            } else if (!cid->is_null()) {
                return fail(self, "error unmarshaling select_campaign data");
            }
        }
    }
    if (id <= 0)
        return fail(self, "0 is not a valid campaign ID");
    const user& u = *self->state.viewer;
    if (!u.global_role && u.teams.empty())
        return fail(self, "forbidden");
    self->state.at = phase::selecting;
    self->request(registry, find_campaign_timeout, find_campaign_msg{id})
        .then(guarded("subscriber",
                      [self, uid = u.id](found_campaign_msg& found) {
                          if (!found.campaign)
                              return fail(self, found.missing);
                          self->send(found.campaign,
                                     subscribe_msg{caf::actor_cast<caf::actor>(self), uid});
                      }),
              guarded("subscriber", [self](caf::error& e) {
                  fail(self, "the live query service is not answering: " + caf::to_string(e));
              }));
}

void process(self_ptr self, const caf::actor& persistence, const caf::actor& registry) {
    auto& st = self->state;
    while (!st.waiting.empty() && (st.at == phase::auth || st.at == phase::select)) {
        bj::object msg = std::move(st.waiting.front());
        st.waiting.pop_front();
        if (st.at == phase::auth)
            on_auth(self, msg, persistence);
        else
            on_select(self, msg, registry);
    }
}

} // namespace

caf::actor spawn_subscriber(caf::actor_system& sys, caf::actor persistence, caf::actor registry,
                            subscriber_sink sink, clock_fn clock,
                            std::chrono::milliseconds heartbeat) {
    if (!clock)
        clock = now_micros;
    return sys.spawn([=](self_ptr self) -> caf::behavior {
        self->state.sink = sink;
        self->state.clock = clock;
        // A subscriber ends with the registry (shutdown), whatever its connection does.
        self->monitor(registry);
        self->set_down_handler(guarded("subscriber", [=](caf::down_msg&) {
            fail(self, std::nullopt);
            self->quit();
        }));
        if (sink.heartbeat)
            self->delayed_send(self, heartbeat, heartbeat_atom::value);
        return {
            guarded("subscriber",
                    [=](heartbeat_atom) {
                        if (self->state.at == phase::closed)
                            return;
                        self->state.sink.heartbeat();
                        self->delayed_send(self, heartbeat, heartbeat_atom::value);
                    }),
            guarded("subscriber",
                    [=](client_text_msg& m) {
                        auto& st = self->state;
                        if (st.at == phase::closed || st.at == phase::streaming)
                            return; // nothing more is expected from the client
                        boost::system::error_code ec;
                        bj::value v = bj::parse(m.text, ec);
                        std::vector<bj::object> msgs;
                        if (!ec && v.is_object()) {
                            msgs.push_back(std::move(v.get_object()));
                        } else if (!ec && v.is_array()) {
                            for (auto& e : v.get_array()) {
                                if (e.is_object())
                                    msgs.push_back(std::move(e.get_object()));
                                else
                                    ec = boost::json::error::syntax;
                            }
                        }
                        if (ec || msgs.empty()) {
                            if (st.at == phase::auth || st.at == phase::authenticating)
                                return fail(self, std::nullopt);
                            return fail(self, "error reading select_campaign");
                        }
                        for (auto& msg : msgs)
                            st.waiting.push_back(std::move(msg));
                        process(self, persistence, registry);
                    }),
            guarded("subscriber",
                    [=](auth_result_msg& m) {
                        if (!m.u || m.u->force_password_reset)
                            return fail(self, "unauthorized");
                        self->state.viewer = std::move(m.u);
                        self->state.at = phase::select;
                        process(self, persistence, registry);
                    }),
            guarded("subscriber",
                    [=](stream_msg& m) {
                        if (self->state.at == phase::closed)
                            return;
                        self->state.at = phase::streaming;
                        if (m.texts)
                            self->state.sink.send(*m.texts);
                    }),
            guarded("subscriber", [=](campaign_error_msg& m) { fail(self, m.text); }),
            guarded("subscriber", [=](close_atom) { fail(self, std::nullopt); }),
        };
    });
}

void subscriber_text(const caf::actor& subscriber, std::string text) {
    caf::anon_send(subscriber, client_text_msg{std::move(text)});
}

} // namespace flotilla::actors
