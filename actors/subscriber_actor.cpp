#include "actors/subscriber_actor.hpp"

#include "actors/guard.hpp"
#include "actors/messages.hpp"
#include "actors/subscriber_state.hpp"
#include "model/json.hpp"
#include "service/session.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

namespace flotilla::actors {

namespace {

namespace bj = boost::json;
using kind = subscriber_step::kind;

struct subscriber_state {
    static inline const char* name = "subscriber";
    subscriber_sink sink;
    clock_fn clock;
    subscriber_machine machine; ///< the handshake's rules (subscriber_state.hpp)
};

using self_ptr = caf::stateful_actor<subscriber_state>*;

/// Closes the connection once, after the error `message` when there is one.
void close_with(self_ptr self, const std::optional<std::string>& message) {
    if (message)
        self->state.sink.send(std::make_shared<const std::vector<std::string>>(
            1, bj::serialize(error_message(*message))));
    self->state.sink.close();
}

void fail(self_ptr self, const std::optional<std::string>& message) {
    if (self->state.machine.close())
        close_with(self, message);
}

/// Does what the handshake asked for.
void run(self_ptr self, subscriber_step step, const caf::actor& persistence,
         const caf::actor& registry) {
    switch (step.what) {
    case kind::none:
        return;
    case kind::close:
        return close_with(self, step.message);
    case kind::authenticate:
        // The REST API's rule, asked of the store: constant-time compare, idle
        // expiry, touch.
        self->request(persistence, store_answer_timeout, ask_atom::value,
                      make_store_query([token = std::move(step.token),
                                        clock = self->state.clock](storage::store& st) {
                          auth_result_msg r;
                          if (auto v = service::authenticate(st, token, clock()))
                              r.u = std::move(v->u);
                          return r;
                      }))
            .then(guarded("subscriber",
                          [self, persistence, registry](auth_result_msg& m) {
                              run(self, self->state.machine.on_auth_result(std::move(m.u)),
                                  persistence, registry);
                          }),
                  guarded("subscriber", [self](caf::error& e) {
                      fail(self, "the store is not answering: " + caf::to_string(e));
                  }));
        return;
    case kind::find_campaign:
        self->request(registry, find_campaign_timeout, find_campaign_msg{step.campaign_id})
            .then(
                guarded("subscriber",
                        [self, uid = self->state.machine.viewer()->id](found_campaign_msg& found) {
                            if (!found.campaign)
                                return fail(self, found.missing);
                            self->send(found.campaign,
                                       subscribe_msg{caf::actor_cast<caf::actor>(self), uid});
                        }),
                guarded("subscriber", [self](caf::error& e) {
                    fail(self, "the live query service is not answering: " + caf::to_string(e));
                }));
        return;
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
                        if (self->state.machine.phase() == subscriber_phase::closed)
                            return;
                        self->state.sink.heartbeat();
                        self->delayed_send(self, heartbeat, heartbeat_atom::value);
                    }),
            guarded("subscriber",
                    [=](client_text_msg& m) {
                        run(self, self->state.machine.on_text(m.text), persistence, registry);
                    }),
            guarded("subscriber",
                    [=](stream_msg& m) {
                        if (self->state.machine.phase() == subscriber_phase::closed)
                            return;
                        self->state.machine.on_streaming();
                        if (m.texts)
                            self->state.sink.send(m.texts); // shared, not copied
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
