#include "service/live_query.hpp"

#include "model/query.hpp"
#include "service/activities.hpp"
#include "service/app_config.hpp"
#include "service/authz.hpp"
#include "storage/store.hpp"

#include <boost/json.hpp>

namespace flotilla::service {

namespace {

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

} // namespace

expected<live_query> start_live_query(storage::store& st, const user& u,
                                      const live_query_request& r, micros now) {
    if (auto allowed = live_queries_allowed(st); !allowed)
        return allowed.err();
    const bool adhoc = !r.query_id;
    if (adhoc && (!r.sql || r.sql->find_first_not_of(" \t\r\n") == std::string::npos))
        return error::invalid("query", "one of query or query_id must be specified");
    bool observer_can_run = false;
    if (!adhoc) {
        auto q = st.query_by_id(*r.query_id);
        if (!q)
            return q.err();
        observer_can_run = q->observer_can_run;
    } else if (has_attach(*r.sql)) {
        return error::invalid("query", "ATTACH not allowed in queries");
    }
    auto scope = run_scope(u, adhoc, observer_can_run);
    if (!scope)
        return scope.err();
    // fleetctl sends an omitted --hosts or --labels as [""]: no name, not an unknown one.
    auto named = r.selected;
    std::erase(named.hostnames, std::string());
    std::erase(named.label_names, std::string());
    auto selection =
        r.by_names ? st.resolve_target_names(named) : expected<target_selection>(named);
    if (!selection)
        return selection.err();
    auto hosts = st.target_host_ids(*selection, *scope);
    if (!hosts)
        return hosts.err();
    if (hosts->empty())
        return error::invalid("selected", "no hosts targeted");
    expected<std::pair<campaign, query>> created = error::backend("no campaign");
    auto done = st.transaction([&]() -> expected<void> {
        created = st.new_campaign(r.query_id, adhoc ? r.sql : std::nullopt, u, *selection, now);
        if (!created)
            return created.err();
        return record_activity(st, u, "live_query",
                               {{"targets_count", static_cast<std::int64_t>(hosts->size())},
                                {"query_sql", created->second.sql}},
                               now);
    });
    if (!done)
        return done.err();
    return live_query{created->first, created->second.sql, std::move(*hosts)};
}

} // namespace flotilla::service
