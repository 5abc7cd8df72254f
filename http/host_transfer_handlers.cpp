/// POST /hosts/transfer and /hosts/transfer/filter (fleet-rest.md §4.2):
/// moving hosts to a team (or to none), and what every change of a host's team
/// shares: the host registry learns it before the change is answered, so the
/// host's next config is its new team's (read-your-writes).

#include "actors/messages.hpp"
#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/team_codec.hpp"
#include "service/teams.hpp"

#include <caf/all.hpp>

namespace flotilla::http {

namespace {

/// How long a change waits for the registry to take the hosts' new team.
constexpr std::chrono::seconds registry_deadline{10};

} // namespace

response after_team_change(api& a, const responder& reply, std::vector<std::int64_t> host_ids,
                           std::optional<std::int64_t> team_id, response done) {
    auto registry = a.registry();
    if (!registry || host_ids.empty())
        return done;
    a.system().spawn([registry, reply, done = std::move(done),
                      msg = actors::hosts_team_msg{std::move(host_ids), team_id}](
                         caf::event_based_actor* self) mutable {
        self->request(registry, registry_deadline, std::move(msg))
            .then([reply, done](std::size_t) { reply(done); },
                  [reply](caf::error& e) {
                      reply(to_response(error::backend(
                          "the hosts' team is stored, but the live query service did not "
                          "answer: " +
                          caf::to_string(e))));
                  });
    });
    return response::deferred();
}

namespace handlers {

expected<session_job> transfer_hosts(api& a, const request& req, const path_params&,
                                     const responder& reply) {
    auto body = decode_transfer(req.body);
    if (!body)
        return body.err();
    return session_job{[&a, reply, b = std::move(*body)](storage::store& st,
                                                         const viewer& v) -> response {
        auto moved = service::transfer_hosts(st, v.u, b.team_id, b.host_ids, a.now());
        if (!moved)
            return to_response(moved.err());
        return after_team_change(a, reply, std::move(*moved), b.team_id, response::empty_object());
    }};
}

expected<session_job> transfer_hosts_by_filter(api& a, const request& req, const path_params&,
                                               const responder& reply) {
    auto body = decode_transfer_filter(req.body);
    if (!body)
        return body.err();
    return session_job{[&a, reply, b = std::move(*body)](storage::store& st,
                                                         const viewer& v) -> response {
        auto moved = service::transfer_hosts_by_filter(st, v.u, b.team_id, b.filter, a.now());
        if (!moved)
            return to_response(moved.err());
        return after_team_change(a, reply, std::move(*moved), b.team_id, response::empty_object());
    }};
}

} // namespace handlers

} // namespace flotilla::http
