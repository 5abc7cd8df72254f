/// POST /api/v1/fleet/queries/run and /queries/run_by_names (fleet-behaviour.md §4).

#include "actors/messages.hpp"
#include "http/api.hpp"
#include "http/authz.hpp"
#include "http/errors.hpp"
#include "http/rest_codec.hpp"
#include "model/json.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

namespace flotilla::http {
namespace {

namespace bj = boost::json;

/// Who may run what, and on which teams' hosts (nullopt: every host).
expected<std::optional<std::vector<std::int64_t>>> run_scope(const user& u, bool adhoc,
                                                             bool observer_can_run) {
    if (authz::global_writer(u))
        return std::optional<std::vector<std::int64_t>>{};
    if (u.global_role == role::observer) {
        if (adhoc || !observer_can_run)
            return authz::forbidden();
        return std::optional<std::vector<std::int64_t>>{};
    }
    std::vector<std::int64_t> teams;
    for (const auto& t : u.teams)
        if (t.team_role_value != role::observer || (!adhoc && observer_can_run))
            teams.push_back(t.team_id);
    if (teams.empty())
        return authz::forbidden();
    return std::optional<std::vector<std::int64_t>>{std::move(teams)};
}

void run(api& a, const request& req, responder reply, bool by_names) {
    auto decoded = decode_run(req.body, by_names);
    if (!decoded)
        return reply(to_response(decoded.err()));
    a.authenticated(
        req, reply,
        [&a, by_names, run = std::move(*decoded), reply](storage::store& st,
                                                         const viewer& v) -> response {
            const bool adhoc = !run.query_id;
            if (adhoc && (!run.sql || run.sql->find_first_not_of(" \t\r\n") == std::string::npos))
                return to_response(
                    error::invalid("query", "one of query or query_id must be specified"));
            bool observer_can_run = false;
            if (!adhoc) {
                auto q = st.query_by_id(*run.query_id);
                if (!q)
                    return to_response(q.err());
                observer_can_run = q->observer_can_run;
            } else if (has_attach(*run.sql)) {
                return to_response(error::invalid("query", "ATTACH not allowed in queries"));
            }
            auto scope = run_scope(v.u, adhoc, observer_can_run);
            if (!scope)
                return to_response(scope.err());
            auto selection = by_names ? st.resolve_target_names(run.selected)
                                      : expected<target_selection>(run.selected);
            if (!selection)
                return to_response(selection.err());
            auto hosts = st.target_host_ids(*selection, *scope);
            if (!hosts)
                return to_response(hosts.err());
            if (hosts->empty())
                return to_response(error::invalid("selected", "no hosts targeted"));
            auto created = st.new_campaign(run.query_id, adhoc ? run.sql : std::nullopt, v.u,
                                           *selection, a.now());
            if (!created)
                return to_response(created.err());
            auto registry = a.registry();
            if (!registry)
                return to_response(error::backend("the live query service is shutting down"));
            const campaign c = created->first;
            caf::anon_send(
                registry,
                actors::start_campaign_msg{
                    c, created->second.sql, std::move(*hosts), [reply, c](host_counts m) {
                        reply(response::json(200, bj::object{{"campaign", campaign_json(c, m)}}));
                    }});
            return response::deferred(); // the registry answers with the metrics
        });
}

} // namespace

void add_live_query_routes(api& a, router& r) {
    r.add("POST", "/api/v1/fleet/queries/run",
          [&a](auto& req, auto&, auto reply) { run(a, req, reply, false); });
    r.add("POST", "/api/v1/fleet/queries/run_by_names",
          [&a](auto& req, auto&, auto reply) { run(a, req, reply, true); });
}

} // namespace flotilla::http
