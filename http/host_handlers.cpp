/// The hosts REST routes (fleet-rest.md §4.2): GET /hosts, /hosts/count,
/// /host_summary (each taking `team_id` or current Fleet's `fleet_id`),
/// /hosts/{id} and /hosts/identifier/{identifier} (with labels, policies and
/// packs), /labels/{id}/hosts and DELETE /hosts/{id}. Decoding and encoding
/// only; the rules are service/host_queries.hpp.

#include "actors/messages.hpp"
#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/query_params.hpp"
#include "model/label.hpp"
#include "model/policy.hpp"
#include "service/host_queries.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <charconv>
#include <limits>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

constexpr std::int64_t max_id = std::numeric_limits<std::int64_t>::max();
/// How long DELETE waits for the registry to forget the host.
constexpr std::chrono::seconds forget_deadline{10};

expected<service::host_filter> decode_filter(const request& req) {
    auto q = query_params::of(req.target);
    if (!q)
        return q.err();
    service::host_filter f;
    f.query = q->text("query").value_or("");
    f.status = q->text("status").value_or("");
    f.order_key = q->text("order_key").value_or("");
    const auto dir = q->text("order_direction").value_or("asc");
    if (dir != "asc" && dir != "desc")
        return error::bad_request("unknown order_direction: " + dir);
    f.descending = dir == "desc";
    auto team = q->team_id();
    auto label = q->number("label_id", 0, max_id);
    auto page = q->number("page", 0, max_id / 10'000'000);
    auto per_page = q->number("per_page", 1, 10'000'000);
    for (const auto* e : {&team, &label, &page, &per_page})
        if (!*e)
            return e->err();
    f.team_id = *team;
    f.label_id = *label;
    f.page = page->value_or(0);
    f.per_page = *per_page;
    if (auto ok = service::check_host_filter(f); !ok)
        return ok.err();
    return f;
}

response hosts_response(storage::store& st, const expected<std::vector<host>>& hosts, micros now) {
    if (!hosts)
        return to_response(hosts.err());
    auto names = service::team_names(st, *hosts);
    if (!names)
        return to_response(names.err());
    bj::array out;
    for (std::size_t i = 0; i < hosts->size(); ++i)
        out.push_back(host_response((*hosts)[i], now, (*names)[i]));
    return response::json(200, bj::object{{"hosts", std::move(out)}});
}

/// Fleet's pack object as a host's detail lists it (its targets are not loaded
/// there: null, as Fleet's).
bj::object pack_object(const pack_spec& p) {
    bj::object o{{"id", p.id}, {"name", p.name}};
    if (!p.description.empty())
        o["description"] = p.description;
    if (!p.platform.empty())
        o["platform"] = p.platform;
    if (p.disabled)
        o["disabled"] = true;
    o["type"] = nullptr;
    o["label_ids"] = nullptr;
    o["host_ids"] = nullptr;
    o["team_ids"] = nullptr;
    return o;
}

response detail_response(const expected<service::host_detail>& d, micros now) {
    if (!d)
        return to_response(d.err());
    bj::array labels, policies;
    for (const auto& l : d->labels)
        labels.push_back(label_response(l));
    std::int64_t failing = 0;
    for (const auto& [p, passes] : d->policies) {
        auto o = to_json(p).as_object();
        o["response"] = !passes ? "" : (*passes ? "pass" : "fail");
        failing += passes && !*passes;
        policies.push_back(std::move(o));
    }
    auto h = host_response(d->h, now, d->team_name, failing);
    h["labels"] = std::move(labels);
    h["policies"] = std::move(policies);
    bj::array packs;
    for (const auto& p : d->packs)
        packs.push_back(pack_object(p));
    h["packs"] = std::move(packs);
    h["software"] = bj::array{};
    h["users"] = bj::array{};
    return response::json(200, bj::object{{"host", std::move(h)}});
}

} // namespace

namespace {

/// The job answering a host list for `f`.
session_job list_job(api& a, service::host_filter f) {
    return [&a, f = std::move(f)](storage::store& st, const viewer& v) {
        const auto now = a.now();
        return hosts_response(st, service::list_hosts(st, v.u, f, now), now);
    };
}

} // namespace

expected<session_job> handlers::list_hosts(api& a, const request& req, const path_params&,
                                           const responder&) {
    auto f = decode_filter(req);
    if (!f)
        return f.err();
    return list_job(a, std::move(*f));
}

expected<session_job> handlers::label_hosts(api& a, const request& req, const path_params& p,
                                            const responder&) {
    auto f = decode_filter(req);
    if (!f)
        return f.err();
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    f->label_id = *id; // an unknown label lists no hosts
    return list_job(a, std::move(*f));
}

expected<session_job> handlers::count_hosts(api& a, const request& req, const path_params&,
                                            const responder&) {
    auto f = decode_filter(req);
    if (!f)
        return f.err();
    return session_job{[&a, f = std::move(*f)](storage::store& st, const viewer& v) {
        auto n = service::count_hosts(st, v.u, f, a.now());
        return n ? response::json(200, bj::object{{"count", *n}}) : to_response(n.err());
    }};
}

expected<session_job> handlers::host_summary(api& a, const request& req, const path_params&,
                                             const responder&) {
    auto q = query_params::of(req.target);
    if (!q)
        return q.err();
    auto team = q->team_id();
    if (!team)
        return team.err();
    return session_job{[&a, team = *team](storage::store& st, const viewer& v) {
        auto s = service::summarize_hosts(st, v.u, team, a.now());
        if (!s)
            return to_response(s.err());
        bj::array platforms;
        for (const auto& [name, n] : s->platforms)
            platforms.push_back(bj::object{{"platform", name}, {"hosts_count", n}});
        return response::json(
            200, bj::object{{"team_id", s->team_id ? bj::value(*s->team_id) : bj::value(nullptr)},
                            {"totals_hosts_count", s->counts.total},
                            {"platforms", std::move(platforms)},
                            {"online_count", s->counts.online},
                            {"offline_count", s->counts.offline},
                            {"mia_count", s->counts.missing_in_action},
                            {"new_count", s->counts.new_hosts}});
    }};
}

expected<session_job> handlers::get_host(api& a, const request&, const path_params& p,
                                         const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[&a, id = *id](storage::store& st, const viewer& v) {
        return detail_response(service::host_by_id(st, v.u, id), a.now());
    }};
}

expected<session_job> handlers::get_host_by_identifier(api& a, const request&, const path_params& p,
                                                       const responder&) {
    return session_job{[&a, identifier = p.at("identifier")](storage::store& st, const viewer& v) {
        return detail_response(service::host_by_identifier(st, v.u, identifier), a.now());
    }};
}

expected<session_job> handlers::delete_host(api& a, const request&, const path_params& p,
                                            const responder& reply) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[&a, reply, id = *id](storage::store& st, const viewer& v) -> response {
        if (auto done = service::delete_host(st, v.u, id); !done)
            return to_response(done.err());
        auto registry = a.registry();
        if (!registry)
            return response::empty_object();
        // Answered once the registry has forgotten it: the agent's next request
        // is node_invalid, and the host has left every live query.
        a.system().spawn([registry, reply, id](caf::event_based_actor* self) {
            self->request(registry, forget_deadline, actors::hosts_removed_msg{{id}})
                .then([reply](std::size_t) { reply(response::empty_object()); },
                      [reply](caf::error& e) {
                          reply(to_response(error::backend(
                              "the host is deleted, but the live query service did not "
                              "answer: " +
                              caf::to_string(e))));
                      });
        });
        return response::deferred();
    }};
}

} // namespace flotilla::http
