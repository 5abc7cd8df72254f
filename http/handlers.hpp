#pragma once
/// Every handler the route table (routes.cpp) names, by feature file. A handler
/// decodes, calls the rules, and encodes; the setup gate and the session are the
/// table's business (http/routes.hpp).

#include "http/routes.hpp"
#include "service/authz.hpp"

namespace flotilla::http {
/// The permission rules, as handlers name them.
namespace authz = service::authz;
} // namespace flotilla::http

namespace flotilla::http {
/// `{"user", "available_teams"}` (and `"token"` when given): what login, /me and
/// GET /users/{id} answer (auth_handlers.cpp).
response signed_in_response(storage::store& st, const user& u,
                            const std::optional<std::string>& token);

/// Answers `done` through `reply` once the host registry has the hosts
/// `host_ids` in team `team_id` (nullopt: no team), so their next agent request
/// sees it (read-your-writes); returns response::deferred(), or `done` itself
/// when there is no host to tell (host_transfer_handlers.cpp).
response after_team_change(api& a, const responder& reply, std::vector<std::int64_t> host_ids,
                           std::optional<std::int64_t> team_id, response done);
} // namespace flotilla::http

namespace flotilla::http::handlers {

using open_args = void(api&, const request&, const path_params&, responder);
using session_args = expected<session_job>(api&, const request&, const path_params&,
                                           const responder&);

// auth_handlers.cpp (fleet-behaviour.md §2)
open_args setup, login;
session_args logout, me;

// user_handlers.cpp (fleet-rest.md §3)
session_args create_user, list_users, get_user, modify_user, delete_user, change_password,
    require_password_reset, apply_user_roles, user_sessions, delete_user_sessions,
    perform_required_password_reset;

// label_handlers.cpp (fleet-rest.md §5.1)
session_args labels_index, label_show, create_label, modify_label, delete_label_by_name,
    delete_label_by_id;

// query_handlers.cpp (fleet-rest.md §5.3; also spelled /reports, §8.2)
session_args queries_index, query_show, create_query, modify_query, delete_query_by_name,
    delete_query_by_id, delete_queries;

// team_handlers.cpp (fleet-rest.md §5.2; /fleets §8.2)
session_args teams_index, team_show, create_team, modify_team, delete_team, team_agent_options,
    team_secrets, modify_team_secrets, team_users, add_team_users, remove_team_users;

// host_transfer_handlers.cpp (fleet-rest.md §4.2)
session_args transfer_hosts, transfer_hosts_by_filter;

// status_handlers.cpp
session_args status;
open_args healthz;

// info_handlers.cpp (fleet-rest.md §7)
session_args version, list_activities;
open_args sso_settings;

// host_handlers.cpp (fleet-rest.md §4)
session_args list_hosts, count_hosts, host_summary, get_host, get_host_by_identifier, delete_host,
    label_hosts;

// target_handlers.cpp (fleet-rest.md §6)
session_args search_targets, count_targets;

// config_handlers.cpp (fleet-rest.md §2)
session_args get_config, modify_config;

// spec_*.cpp (§3)
session_args list_queries, get_query, apply_queries;
session_args list_packs, get_pack, apply_packs;
session_args list_labels, get_label, apply_labels;
session_args apply_teams;
session_args get_enroll_secrets, apply_enroll_secrets;
session_args apply_policies, list_global_policies;

// osquery_handlers.cpp (§6)
open_args enroll, config, distributed_read, distributed_write, log;

// live_query_handlers.cpp (§4)
session_args run, run_by_names, run_by_identifiers;

// results_stream.cpp (§5; the websocket transports are upgrades: api::upgrade)
open_args sockjs_poll, sockjs_stream, sockjs_send, sockjs_greeting, sockjs_info;

} // namespace flotilla::http::handlers
