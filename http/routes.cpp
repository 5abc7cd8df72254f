#include "http/routes.hpp"

#include "http/handlers.hpp"

#include <array>

namespace flotilla::http {

namespace {

using namespace handlers;
constexpr auto v1_latest = spelled::v1_latest;
constexpr auto v1_api = spelled::v1_api;
constexpr auto root = spelled::root;
constexpr auto always = gate::always;
constexpr auto before_setup = gate::before_setup;
constexpr auto after_setup = gate::after_setup;

// clang-format off
constexpr std::array table{
//  method  path (under /api/v1)                            spellings  exists        who
    route_def{"POST", "/setup",                             v1_latest, before_setup, anyone(setup)},
    route_def{"POST", "/fleet/login",                       v1_latest, after_setup,  anyone(login)},
    route_def{"POST", "/fleet/logout",                      v1_latest, after_setup,  signed_in_resetting(logout)},
    route_def{"POST", "/fleet/perform_required_password_reset", v1_latest, after_setup, signed_in_resetting(perform_required_password_reset)},
    route_def{"GET",  "/fleet/me",                          v1_latest, after_setup,  signed_in(me)},
    route_def{"GET",  "/fleet/status/live_query",           v1_latest, after_setup,  signed_in(status)},
    route_def{"GET",  "/fleet/status/result_store",         v1_latest, after_setup,  signed_in(status)},
    route_def{"GET",  "/healthz",                           root,      always,       anyone(healthz)},
    route_def{"GET",  "/fleet/version",                     v1_latest, after_setup,  signed_in(version)},
    route_def{"GET",  "/fleet/activities",                  v1_latest, after_setup,  signed_in(list_activities)},
    route_def{"GET",  "/fleet/sso",                         v1_latest, after_setup,  anyone(sso_settings)},
    route_def{"GET",  "/fleet/hosts",                       v1_latest, after_setup,  signed_in(list_hosts)},
    route_def{"GET",  "/fleet/hosts/count",                 v1_latest, after_setup,  signed_in(count_hosts)},
    route_def{"GET",  "/fleet/host_summary",                v1_latest, after_setup,  signed_in(host_summary)},
    route_def{"GET",  "/fleet/hosts/{id}",                  v1_latest, after_setup,  signed_in(get_host)},
    route_def{"DELETE","/fleet/hosts/{id}",                 v1_latest, after_setup,  signed_in(delete_host)},
    route_def{"GET",  "/fleet/hosts/identifier/{identifier}", v1_latest, after_setup, signed_in(get_host_by_identifier)},
    route_def{"GET",  "/fleet/labels",                      v1_latest, after_setup,  signed_in(labels_index)},
    route_def{"POST", "/fleet/labels",                      v1_latest, after_setup,  signed_in(create_label)},
    route_def{"GET",  "/fleet/labels/{id}",                 v1_latest, after_setup,  signed_in(label_show)},
    route_def{"PATCH","/fleet/labels/{id}",                 v1_latest, after_setup,  signed_in(modify_label)},
    route_def{"DELETE","/fleet/labels/{name}",              v1_latest, after_setup,  signed_in(delete_label_by_name)},
    route_def{"DELETE","/fleet/labels/id/{id}",             v1_latest, after_setup,  signed_in(delete_label_by_id)},
    route_def{"GET",  "/fleet/labels/{id}/hosts",           v1_latest, after_setup,  signed_in(label_hosts)},
    route_def{"POST", "/fleet/hosts/transfer",              v1_latest, after_setup,  signed_in(transfer_hosts)},
    route_def{"POST", "/fleet/hosts/transfer/filter",       v1_latest, after_setup,  signed_in(transfer_hosts_by_filter)},
    route_def{"GET",  "/fleet/teams",                       v1_latest, after_setup,  signed_in(teams_index)},
    route_def{"POST", "/fleet/teams",                       v1_latest, after_setup,  signed_in(create_team)},
    route_def{"GET",  "/fleet/teams/{id}",                  v1_latest, after_setup,  signed_in(team_show)},
    route_def{"PATCH","/fleet/teams/{id}",                  v1_latest, after_setup,  signed_in(modify_team)},
    route_def{"DELETE","/fleet/teams/{id}",                 v1_latest, after_setup,  signed_in(delete_team)},
    route_def{"POST", "/fleet/teams/{id}/agent_options",    v1_latest, after_setup,  signed_in(team_agent_options)},
    route_def{"GET",  "/fleet/teams/{id}/secrets",          v1_latest, after_setup,  signed_in(team_secrets)},
    route_def{"PATCH","/fleet/teams/{id}/secrets",          v1_latest, after_setup,  signed_in(modify_team_secrets)},
    route_def{"GET",  "/fleet/teams/{id}/users",            v1_latest, after_setup,  signed_in(team_users)},
    route_def{"PATCH","/fleet/teams/{id}/users",            v1_latest, after_setup,  signed_in(add_team_users)},
    route_def{"DELETE","/fleet/teams/{id}/users",           v1_latest, after_setup,  signed_in(remove_team_users)},
    // Current Fleet's name for teams is "fleets" (fleet-rest.md §8.2); the
    // answers keep the keys its clients decode ("teams", "team").
    route_def{"GET",  "/fleet/fleets",                      v1_latest, after_setup,  signed_in(teams_index)},
    route_def{"POST", "/fleet/fleets",                      v1_latest, after_setup,  signed_in(create_team)},
    route_def{"GET",  "/fleet/fleets/{id}",                 v1_latest, after_setup,  signed_in(team_show)},
    route_def{"PATCH","/fleet/fleets/{id}",                 v1_latest, after_setup,  signed_in(modify_team)},
    route_def{"DELETE","/fleet/fleets/{id}",                v1_latest, after_setup,  signed_in(delete_team)},
    route_def{"POST", "/fleet/fleets/{id}/agent_options",   v1_latest, after_setup,  signed_in(team_agent_options)},
    route_def{"GET",  "/fleet/fleets/{id}/secrets",         v1_latest, after_setup,  signed_in(team_secrets)},
    route_def{"PATCH","/fleet/fleets/{id}/secrets",         v1_latest, after_setup,  signed_in(modify_team_secrets)},
    route_def{"GET",  "/fleet/fleets/{id}/users",           v1_latest, after_setup,  signed_in(team_users)},
    route_def{"PATCH","/fleet/fleets/{id}/users",           v1_latest, after_setup,  signed_in(add_team_users)},
    route_def{"DELETE","/fleet/fleets/{id}/users",          v1_latest, after_setup,  signed_in(remove_team_users)},
    route_def{"POST", "/fleet/targets",                     v1_latest, after_setup,  signed_in(search_targets)},
    route_def{"POST", "/fleet/targets/count",               v1_latest, after_setup,  signed_in(count_targets)},
    route_def{"POST", "/fleet/users/admin",                 v1_latest, after_setup,  signed_in(create_user)},
    route_def{"POST", "/fleet/users/roles/spec",            v1_latest, after_setup,  signed_in(apply_user_roles)},
    route_def{"GET",  "/fleet/users",                       v1_latest, after_setup,  signed_in(list_users)},
    route_def{"GET",  "/fleet/users/{id}",                  v1_latest, after_setup,  signed_in(get_user)},
    route_def{"PATCH","/fleet/users/{id}",                  v1_latest, after_setup,  signed_in(modify_user)},
    route_def{"DELETE","/fleet/users/{id}",                 v1_latest, after_setup,  signed_in(delete_user)},
    route_def{"POST", "/fleet/users/{id}/require_password_reset", v1_latest, after_setup, signed_in(require_password_reset)},
    route_def{"GET",  "/fleet/users/{id}/sessions",         v1_latest, after_setup,  signed_in(user_sessions)},
    route_def{"DELETE","/fleet/users/{id}/sessions",        v1_latest, after_setup,  signed_in(delete_user_sessions)},
    route_def{"POST", "/fleet/change_password",             v1_latest, after_setup,  signed_in(change_password)},
    route_def{"GET",  "/fleet/config",                      v1_latest, after_setup,  signed_in(get_config)},
    route_def{"PATCH","/fleet/config",                      v1_latest, after_setup,  signed_in(modify_config)},
    route_def{"GET",  "/fleet/spec/queries",                v1_latest, after_setup,  signed_in(list_queries)},
    route_def{"POST", "/fleet/spec/queries",                v1_latest, after_setup,  signed_in(apply_queries)},
    route_def{"GET",  "/fleet/spec/queries/{name}",         v1_latest, after_setup,  signed_in(get_query)},
    route_def{"GET",  "/fleet/queries",                     v1_latest, after_setup,  signed_in(queries_index)},
    route_def{"POST", "/fleet/queries",                     v1_latest, after_setup,  signed_in(create_query)},
    route_def{"GET",  "/fleet/queries/{id}",                v1_latest, after_setup,  signed_in(query_show)},
    route_def{"PATCH","/fleet/queries/{id}",                v1_latest, after_setup,  signed_in(modify_query)},
    route_def{"DELETE","/fleet/queries/{name}",             v1_latest, after_setup,  signed_in(delete_query_by_name)},
    route_def{"DELETE","/fleet/queries/id/{id}",            v1_latest, after_setup,  signed_in(delete_query_by_id)},
    route_def{"POST", "/fleet/queries/delete",              v1_latest, after_setup,  signed_in(delete_queries)},
    // Current Fleet's names for saved queries are "reports" (fleet-rest.md §8.2);
    // the answers keep the keys its client decodes ("queries", "query", "specs").
    route_def{"GET",  "/fleet/spec/reports",                v1_latest, after_setup,  signed_in(list_queries)},
    route_def{"POST", "/fleet/spec/reports",                v1_latest, after_setup,  signed_in(apply_queries)},
    route_def{"GET",  "/fleet/spec/reports/{name}",         v1_latest, after_setup,  signed_in(get_query)},
    route_def{"GET",  "/fleet/reports",                     v1_latest, after_setup,  signed_in(queries_index)},
    route_def{"POST", "/fleet/reports",                     v1_latest, after_setup,  signed_in(create_query)},
    route_def{"GET",  "/fleet/reports/{id}",                v1_latest, after_setup,  signed_in(query_show)},
    route_def{"PATCH","/fleet/reports/{id}",                v1_latest, after_setup,  signed_in(modify_query)},
    route_def{"DELETE","/fleet/reports/{name}",             v1_latest, after_setup,  signed_in(delete_query_by_name)},
    route_def{"DELETE","/fleet/reports/id/{id}",            v1_latest, after_setup,  signed_in(delete_query_by_id)},
    route_def{"POST", "/fleet/reports/delete",              v1_latest, after_setup,  signed_in(delete_queries)},
    route_def{"GET",  "/fleet/spec/packs",                  v1_latest, after_setup,  signed_in(list_packs)},
    route_def{"POST", "/fleet/spec/packs",                  v1_latest, after_setup,  signed_in(apply_packs)},
    route_def{"GET",  "/fleet/spec/packs/{name}",           v1_latest, after_setup,  signed_in(get_pack)},
    route_def{"GET",  "/fleet/spec/labels",                 v1_latest, after_setup,  signed_in(list_labels)},
    route_def{"POST", "/fleet/spec/labels",                 v1_latest, after_setup,  signed_in(apply_labels)},
    route_def{"GET",  "/fleet/spec/labels/{name}",          v1_latest, after_setup,  signed_in(get_label)},
    route_def{"POST", "/fleet/spec/teams",                  v1_latest, after_setup,  signed_in(apply_teams)},
    route_def{"POST", "/fleet/spec/fleets",                 v1_latest, after_setup,  signed_in(apply_teams)},
    route_def{"GET",  "/fleet/spec/enroll_secret",          v1_latest, after_setup,  signed_in(get_enroll_secrets)},
    route_def{"POST", "/fleet/spec/enroll_secret",          v1_latest, after_setup,  signed_in(apply_enroll_secrets)},
    route_def{"POST", "/fleet/spec/policies",               v1_latest, after_setup,  signed_in(apply_policies)},
    route_def{"GET",  "/fleet/global/policies",             v1_latest, after_setup,  signed_in(list_global_policies)},
    route_def{"POST", "/osquery/enroll",                    v1_api,    always,       anyone(enroll)},
    route_def{"POST", "/osquery/config",                    v1_api,    always,       anyone(config)},
    route_def{"POST", "/osquery/distributed/read",          v1_api,    always,       anyone(distributed_read)},
    route_def{"POST", "/osquery/distributed/write",         v1_api,    always,       anyone(distributed_write)},
    route_def{"POST", "/osquery/log",                       v1_api,    always,       anyone(log)},
    route_def{"POST", "/fleet/queries/run",                 v1_latest, after_setup,  signed_in(run)},
    route_def{"POST", "/fleet/queries/run_by_names",        v1_latest, after_setup,  signed_in(run_by_names)},
    route_def{"POST", "/fleet/queries/run_by_identifiers",  v1_latest, after_setup,  signed_in(run_by_identifiers)},
    // Current Fleet's names for saved queries are "reports" (fleet-rest.md §8.2).
    route_def{"POST", "/fleet/reports/run",                 v1_latest, after_setup,  signed_in(run)},
    route_def{"POST", "/fleet/reports/run_by_names",        v1_latest, after_setup,  signed_in(run_by_names)},
    route_def{"POST", "/fleet/reports/run_by_identifiers",  v1_latest, after_setup,  signed_in(run_by_identifiers)},
    route_def{"POST", "/fleet/results/{server}/{session}/xhr",           v1_latest, after_setup, anyone(sockjs_poll)},
    route_def{"POST", "/fleet/results/{server}/{session}/xhr_streaming", v1_latest, after_setup, anyone(sockjs_stream)},
    route_def{"POST", "/fleet/results/{server}/{session}/xhr_send",      v1_latest, after_setup, anyone(sockjs_send)},
    route_def{"GET",  "/fleet/results/",                    v1_latest, after_setup,  anyone(sockjs_greeting)},
    route_def{"GET",  "/fleet/results/info",                v1_latest, after_setup,  anyone(sockjs_info)},
};
// clang-format on

} // namespace

std::span<const route_def> route_table() {
    return table;
}

std::vector<std::string> route_paths(const route_def& r) {
    if (r.spellings == spelled::root)
        return {std::string(r.path)};
    std::vector<std::string> out{"/api/v1" + std::string(r.path)};
    if (r.spellings == spelled::v1_latest)
        out.push_back("/api/latest" + std::string(r.path));
    else if (r.spellings == spelled::v1_api)
        out.push_back("/api" + std::string(r.path));
    return out;
}

} // namespace flotilla::http
