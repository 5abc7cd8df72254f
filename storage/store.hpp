#pragma once
/// Design: one interface per aggregate, one `store` that is all of them plus
/// transactions. Both backends share one SQL implementation over a small driver
/// interface (storage/db.hpp), so the conformance suite tests the same logic on
/// SQLite and MariaDB and the drivers stay thin. Driver exceptions never leave
/// this module: every method returns `expected`.

#include "model/activity.hpp"
#include "model/agent_config.hpp"
#include "model/app_config.hpp"
#include "model/campaign.hpp"
#include "model/enroll_secret.hpp"
#include "model/error.hpp"
#include "model/host.hpp"
#include "model/label.hpp"
#include "model/pack.hpp"
#include "model/policy.hpp"
#include "model/query.hpp"
#include "model/team.hpp"
#include "model/user.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace flotilla::storage {

/// Users and their roles.
class user_store {
public:
    virtual ~user_store() = default;
    virtual expected<std::int64_t> count_users() = 0;
    /// Inserts `u` (id and timestamps assigned); a taken email is already_exists.
    virtual expected<user> new_user(user u, micros now) = 0;
    virtual expected<user> user_by_email(const std::string& email) = 0;
    virtual expected<user> user_by_id(std::int64_t id) = 0;
    /// Every user with their team roles, in id order.
    virtual expected<std::vector<user>> list_users() = 0;
    /// Writes every field of `u` but id, created_at and teams (updated_at = now);
    /// a taken email is already_exists, an unknown id not_found.
    virtual expected<user> update_user(user u, micros now) = 0;
    /// Deletes a user with their sessions and team roles; unknown is not_found.
    virtual expected<void> delete_user(std::int64_t id) = 0;
};

/// Login sessions, keyed by the digest of their token.
class session_store {
public:
    virtual ~session_store() = default;
    virtual expected<session> new_session(std::int64_t user_id, const std::string& key_digest,
                                          micros now) = 0;
    virtual expected<session> session_by_digest(const std::string& key_digest) = 0;
    virtual expected<void> touch_session(std::int64_t id, micros now) = 0;
    virtual expected<void> delete_session(std::int64_t id) = 0;
    /// A user's sessions, oldest first.
    virtual expected<std::vector<session>> user_sessions(std::int64_t user_id) = 0;
    /// Deletes every session of `user_id` but the one with id `keep` (0 keeps
    /// none); returns how many.
    virtual expected<std::int64_t> delete_user_sessions(std::int64_t user_id,
                                                        std::int64_t keep) = 0;
    /// Deletes sessions unused for longer than session_idle_lifetime; returns how many.
    virtual expected<std::int64_t> delete_expired_sessions(micros now) = 0;
};

/// The instance configuration (one row).
class app_config_store {
public:
    virtual ~app_config_store() = default;
    /// not_found until setup has saved one.
    virtual expected<app_config> load_app_config() = 0;
    virtual expected<void> save_app_config(const app_config& cfg) = 0;
};

/// Enroll secrets, global and per team; unique across the instance.
class enroll_secret_store {
public:
    virtual ~enroll_secret_store() = default;
    virtual expected<std::vector<enroll_secret>> global_enroll_secrets() = 0;
    /// Replaces every global secret with `secrets`; secrets that remain keep their
    /// created_at. A secret held by a team is already_exists.
    virtual expected<void> apply_global_enroll_secrets(const std::vector<std::string>& secrets,
                                                       micros now) = 0;
    virtual expected<enroll_secret> enroll_secret_by_value(const std::string& secret) = 0;
};

/// How many users hold a role on a team, and how many hosts belong to it.
struct team_size {
    std::int64_t users = 0;
    std::int64_t hosts = 0;
};

/// Teams, their enroll secrets and users' team roles.
class team_store {
public:
    virtual ~team_store() = default;
    /// Creates or updates each team (one transaction): a new team without
    /// agent_options gets `global_agent_options`, an existing one gets exactly
    /// what was sent (absent → none); its secrets are replaced. A secret held
    /// elsewhere is already_exists.
    virtual expected<void> apply_team_specs(const std::vector<team_spec>& specs,
                                            const boost::json::value& global_agent_options,
                                            micros now) = 0;
    virtual expected<team> team_by_name(const std::string& name) = 0;
    virtual expected<team> team_by_id(std::int64_t id) = 0;
    virtual expected<std::vector<team>> list_teams() = 0;
    virtual expected<std::vector<enroll_secret>> team_enroll_secrets(std::int64_t team_id) = 0;
    /// Replaces a user's team roles (team_name/description are ignored).
    virtual expected<void> set_user_teams(std::int64_t user_id,
                                          const std::vector<team_role>& roles) = 0;
    /// Each team's users and hosts (teams with neither are absent).
    virtual expected<std::map<std::int64_t, team_size>> team_sizes() = 0;
    /// Inserts a team (name, description, agent options) with its enroll
    /// secrets; a taken name or secret is already_exists.
    virtual expected<team> new_team(const team& t, const std::vector<std::string>& secrets,
                                    micros now) = 0;
    /// Writes a team's name, description and agent options; a taken name is
    /// already_exists, an unknown id not_found.
    virtual expected<void> update_team(const team& t) = 0;
    /// Deletes a team with its enroll secrets, its policies and their results,
    /// the pack targets naming it and its users' roles on it; its hosts go to no
    /// team. An unknown id is not_found.
    virtual expected<void> delete_team(std::int64_t id) = 0;
    /// Replaces a team's enroll secrets (repeats stored once); those that remain
    /// keep their created_at. A secret held globally or by another team is
    /// already_exists, and nothing changes.
    virtual expected<void> replace_team_enroll_secrets(std::int64_t team_id,
                                                       const std::vector<std::string>& secrets,
                                                       micros now) = 0;
};

/// Saved queries (and the ad-hoc ones live queries store).
class query_store {
public:
    virtual ~query_store() = default;
    /// Saved queries only, in id order.
    virtual expected<std::vector<query>> saved_queries() = 0;
    /// Any query by name, saved or not.
    virtual expected<query> query_by_name(const std::string& name) = 0;
    /// Upserts by name (one transaction): description, SQL and observer_can_run
    /// replaced, saved set, author = `author_id`.
    virtual expected<void> apply_query_specs(const std::vector<query_spec>& specs,
                                             std::int64_t author_id, micros now) = 0;
    /// Saved queries with their authors' names and the packs that schedule
    /// them, in id order.
    virtual expected<std::vector<query_details>> saved_query_details() = 0;
    /// One saved query with its details; an unknown id or an ad-hoc query is
    /// not_found.
    virtual expected<query_details> saved_query_details_by_id(std::int64_t id) = 0;
    /// Inserts a saved query (`q.id` and `q.saved` ignored, created and
    /// updated at `now`); returns its id. A taken name is already_exists.
    virtual expected<std::int64_t> new_saved_query(const query& q, micros now) = 0;
    /// Writes the name, description, SQL and observer_can_run of saved query
    /// `q.id` (updated_at = now; packs follow a rename). An unknown id is
    /// not_found, a taken name already_exists.
    virtual expected<void> update_saved_query(const query& q, micros now) = 0;
    /// Deletes the saved queries among `ids` (unknown and ad-hoc ids are
    /// skipped) and the pack entries that schedule them; returns how many
    /// queries were deleted.
    virtual expected<std::int64_t> delete_saved_queries(const std::vector<std::int64_t>& ids) = 0;
};

/// Packs of scheduled queries.
class pack_store {
public:
    virtual ~pack_store() = default;
    /// User packs (not the global or team schedules), in id order.
    virtual expected<std::vector<pack_spec>> pack_specs() = 0;
    virtual expected<pack_spec> pack_spec_by_name(const std::string& name) = 0;
    /// Upserts each pack by name, keeping its id, and replaces its scheduled
    /// queries and targets (one transaction). Unknown query, label or team names
    /// are invalid_argument naming them; nothing is written then.
    virtual expected<void> apply_pack_specs(const std::vector<pack_spec>& specs, micros now) = 0;
};

/// Labels and manual membership.
class label_store {
public:
    virtual ~label_store() = default;
    /// Every label, builtins included, in id order.
    virtual expected<std::vector<label_spec>> label_specs() = 0;
    virtual expected<label_spec> label_spec_by_name(const std::string& name) = 0;
    /// Upserts by name (one transaction); manual labels' membership is replaced
    /// from hostnames (unknown ones ignored). Changing a builtin, or adding one,
    /// is invalid_argument.
    virtual expected<void> apply_label_specs(const std::vector<label_spec>& specs, micros now) = 0;
    /// One label by id (manual labels with their hostnames).
    virtual expected<label_spec> label_by_id(std::int64_t id) = 0;
    /// How many hosts each label has (labels with none are absent).
    virtual expected<std::map<std::int64_t, std::int64_t>> label_host_counts() = 0;
    /// Renames a label and sets its description; a taken name is already_exists.
    virtual expected<void> rename_label(std::int64_t id, const std::string& name,
                                        const std::string& description, micros now) = 0;
    /// Deletes a label, its membership and the pack targets naming it.
    virtual expected<void> delete_label(std::int64_t id) = 0;
};

/// What the check-in path caches: the dynamic labels and the policies to ask.
struct query_catalog {
    struct label_query {
        std::int64_t id;
        std::string sql;
        std::string platform; ///< "" = every platform
    };
    struct policy_query {
        std::int64_t id;
        std::string sql;
        std::optional<std::int64_t> team_id; ///< nullopt = global
        std::string platforms;               ///< comma list of families; "" = all
    };
    std::vector<label_query> labels;
    std::vector<policy_query> policies;
};

/// One stored policy result of a host.
struct policy_result {
    std::int64_t policy_id;
    std::optional<bool> passes; ///< nullopt: the query failed
};

/// Hosts and what the agent protocol records about them.
class host_store {
public:
    virtual ~host_store() = default;
    struct enrolled {
        host h;
        std::string previous_node_key; ///< "" for a new host
    };
    /// One enrollment of a batch.
    struct enroll_request {
        host details;
        std::string node_key;
        std::optional<std::int64_t> team_id;
    };
    /// Enrolls each request's `details.osquery_host_id`: a known identifier keeps
    /// its row (new node key, team, last_enrolled_at); a new one is inserted with
    /// its detail/label/policy times at 1970-01-02 and joins All Hosts. One
    /// transaction for the batch, with multi-row statements; requests apply in
    /// order (an identifier twice: the later re-enrolls the earlier's row).
    virtual expected<std::vector<enrolled>> enroll_hosts(const std::vector<enroll_request>& batch,
                                                         micros now) = 0;
    /// enroll_hosts of one.
    expected<enrolled> enroll_host(const host& details, const std::string& node_key,
                                   std::optional<std::int64_t> team_id, micros now) {
        auto out = enroll_hosts({{details, node_key, team_id}}, now);
        if (!out)
            return out.err();
        return std::move(out->front());
    }
    virtual expected<std::vector<host>> list_hosts() = 0;
    /// Deletes these hosts with their label and policy results (unknown ids are skipped).
    virtual expected<void> delete_hosts(const std::vector<std::int64_t>& ids) = 0;
    /// Moves these hosts to `team_id` (nullopt: no team); unknown ids are
    /// skipped. Returns the ids of the hosts moved, ascending.
    virtual expected<std::vector<std::int64_t>> set_hosts_team(const std::vector<std::int64_t>& ids,
                                                               std::optional<std::int64_t> team_id,
                                                               micros now) = 0;
    virtual expected<host> host_by_id(std::int64_t id) = 0;
    /// Writes every detail column and the detail/label/policy/seen times.
    virtual expected<void> update_host(const host& h) = 0;
    /// One host's label query results (label id, member) taken at `at`.
    struct label_results {
        std::int64_t host_id = 0;
        std::vector<std::pair<std::int64_t, bool>> results;
        micros at = 0;
    };
    /// Label membership from label query results (member when true; unknown
    /// labels and hosts skipped), and each host's label_updated_at. One
    /// transaction, multi-row statements.
    virtual expected<void> record_label_batch(const std::vector<label_results>& batch) = 0;
    expected<void> record_label_results(std::int64_t host_id,
                                        const std::vector<std::pair<std::int64_t, bool>>& r,
                                        micros now) {
        return record_label_batch({{host_id, r, now}});
    }
    /// One host's policy results taken at `at`.
    struct policy_results {
        std::int64_t host_id = 0;
        std::vector<policy_result> results;
        micros at = 0;
    };
    /// Policy results (passes true/false, nullopt on failure; unknown policies
    /// and hosts skipped), and each host's policy_updated_at. One transaction,
    /// multi-row statements.
    virtual expected<void> record_policy_batch(const std::vector<policy_results>& batch) = 0;
    expected<void> record_policy_results(std::int64_t host_id, const std::vector<policy_result>& r,
                                         micros now) {
        return record_policy_batch({{host_id, r, now}});
    }
    /// Seen times, multi-row (unknown ids skipped).
    virtual expected<void>
    save_seen_times(const std::vector<std::pair<std::int64_t, micros>>& seen) = 0;
    /// The hosts among `ids` (unknown ones skipped), in id order.
    virtual expected<std::vector<host>> hosts_by_ids(const std::vector<std::int64_t>& ids) = 0;
    /// update_host for each, in one transaction.
    virtual expected<void> update_hosts(const std::vector<host>& hosts) = 0;
    virtual expected<std::vector<std::int64_t>> host_label_ids(std::int64_t host_id) = 0;
    virtual expected<std::vector<policy_result>> host_policy_results(std::int64_t host_id) = 0;
    virtual expected<query_catalog> load_query_catalog() = 0;
    /// The packs that apply to a host: through its labels (enabled packs), its
    /// team, or itself.
    virtual expected<std::vector<host_pack>>
    packs_for_host(std::int64_t host_id, std::optional<std::int64_t> team_id) = 0;
    /// A pack as the config cache holds it: what it targets and what it schedules.
    struct pack_entry {
        std::int64_t id = 0;
        bool disabled = false;
        std::vector<std::int64_t> label_ids, host_ids, team_ids; ///< its targets
        host_pack pack; ///< name, platform, scheduled queries (in id order)
    };
    /// Every pack, in id order (the inputs of packs_for_host for every host at once).
    virtual expected<std::vector<pack_entry>> pack_catalog() = 0;
    /// The (host, label) membership rows of these labels.
    virtual expected<std::vector<std::pair<std::int64_t, std::int64_t>>>
    label_members(const std::vector<std::int64_t>& label_ids) = 0;
    /// Inserts a host with a hostname and an optional team; returns its id.
    virtual expected<std::int64_t> new_host_for_test(const std::string& identifier,
                                                     const std::string& hostname,
                                                     std::optional<std::int64_t> team_id,
                                                     micros now) = 0;
};

/// Policies.
class policy_store {
public:
    virtual ~policy_store() = default;
    /// Upserts by name (one transaction). New: team resolved by name (unknown →
    /// invalid_argument), platform stored. Existing: only query, description,
    /// resolution and author change.
    virtual expected<void> apply_policy_specs(const std::vector<policy_spec>& specs,
                                              std::int64_t author_id, micros now) = 0;
    /// Global policies (no team), in id order, with their authors.
    virtual expected<std::vector<policy>> global_policies() = 0;
    /// One team's policies, in id order, with their authors.
    virtual expected<std::vector<policy>> team_policies(std::int64_t team_id) = 0;
    virtual expected<policy> policy_by_name(const std::string& name) = 0;
};

/// Live query campaigns, their ad-hoc queries and target resolution.
class campaign_store {
public:
    virtual ~campaign_store() = default;
    virtual expected<query> query_by_id(std::int64_t id) = 0;
    /// Resolves `hostnames` and `label_names` into ids (appended to host_ids and
    /// label_ids); unknown names are invalid_argument naming every one.
    virtual expected<target_selection> resolve_target_names(target_selection sel) = 0;
    /// The hosts a selection targets (listed hosts ∪ label members ∪ team
    /// members), ascending; with `team_scope`, only hosts of those teams.
    virtual expected<std::vector<std::int64_t>>
    target_host_ids(const target_selection& sel,
                    const std::optional<std::vector<std::int64_t>>& team_scope) = 0;
    /// In one transaction: the ad-hoc query when `adhoc_sql` is set (saved=false,
    /// a name unique per campaign), the campaign (status 0) and its targets.
    virtual expected<std::pair<campaign, query>>
    new_campaign(std::optional<std::int64_t> query_id, const std::optional<std::string>& adhoc_sql,
                 const user& author, const target_selection& sel, micros now) = 0;
    virtual expected<campaign> campaign_by_id(std::int64_t id) = 0;
    virtual expected<void> set_campaign_status(std::int64_t id, campaign_status s, micros now) = 0;
};

/// The activity feed.
class activity_store {
public:
    virtual ~activity_store() = default;
    /// Appends an activity (its id assigned); the actor's name and email are copied.
    virtual expected<std::int64_t> new_activity(const activity& a) = 0;
    /// Activities ordered by `order_column` ("id", "created_at" or "type"; other
    /// values are invalid_argument), skipping `offset`, at most `limit` (nullopt:
    /// all); the actor's id and gravatar come from the user if it still exists.
    virtual expected<std::vector<activity>> list_activities(const std::string& order_column,
                                                            bool descending, std::int64_t offset,
                                                            std::optional<std::int64_t> limit) = 0;
};

/// Every aggregate, plus transactions and health.
class store : public user_store,
              public session_store,
              public app_config_store,
              public enroll_secret_store,
              public team_store,
              public query_store,
              public pack_store,
              public label_store,
              public host_store,
              public policy_store,
              public campaign_store,
              public activity_store {
public:
    /// Runs `fn` in one transaction: committed when it returns a value, rolled back
    /// when it returns an error or a driver call fails. Nested calls join the outer one.
    virtual expected<void> transaction(const std::function<expected<void>()>& fn) = 0;
    /// A cheap round trip to the backend.
    virtual expected<void> ping() = 0;
    /// "sqlite" or "mysql".
    virtual std::string backend_name() const = 0;
};

/// Opens (creating if needed) a SQLite store and applies pending migrations.
expected<std::unique_ptr<store>> open_sqlite_store(const std::string& path);

/// How to reach MySQL/MariaDB. `address` is host:port or a unix socket path.
struct mysql_options {
    std::string address = "127.0.0.1:3306";
    std::string username = "fleet";
    std::string password;
    std::string database = "fleet";
};

/// Whether opening a MySQL store applies migrations or requires them applied.
enum class migrate_mode { require_current, apply };

/// Opens a MySQL store. With require_current, a schema that is not at the latest
/// version is an error telling the operator to run `flotilla prepare db`.
expected<std::unique_ptr<store>> open_mysql_store(const mysql_options& opts, migrate_mode mode);

} // namespace flotilla::storage
