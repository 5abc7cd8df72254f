#pragma once
/// The store implementation shared by both backends, written against `db`.
/// One .cpp per aggregate implements its part of this class.

#include "storage/db.hpp"
#include "storage/store.hpp"

#include <memory>
#include <optional>

namespace flotilla::storage {

/// pack_targets.target_type values (Fleet's).
inline constexpr std::int64_t pack_target_label = 0;
inline constexpr std::int64_t pack_target_team = 2;

/// Translates a driver failure into the error vocabulary.
error translate(const db_error& e);

class sql_store final : public store {
public:
    explicit sql_store(std::unique_ptr<db> d) : db_(std::move(d)) {}

    // transactions and health
    expected<void> transaction(const std::function<expected<void>()>& fn) override;
    expected<void> ping() override;
    std::string backend_name() const override;

    // users
    expected<std::int64_t> count_users() override;
    expected<user> new_user(user u, micros now) override;
    expected<user> user_by_email(const std::string& email) override;
    expected<user> user_by_id(std::int64_t id) override;
    expected<std::vector<user>> list_users() override;
    expected<user> update_user(user u, micros now) override;
    expected<void> delete_user(std::int64_t id) override;

    // sessions
    expected<session> new_session(std::int64_t user_id, const std::string& key_digest,
                                  micros now) override;
    expected<session> session_by_digest(const std::string& key_digest) override;
    expected<void> touch_session(std::int64_t id, micros now) override;
    expected<void> delete_session(std::int64_t id) override;
    expected<std::vector<session>> user_sessions(std::int64_t user_id) override;
    expected<std::int64_t> delete_user_sessions(std::int64_t user_id, std::int64_t keep) override;
    expected<std::int64_t> delete_expired_sessions(micros now) override;

    // app config
    expected<app_config> load_app_config() override;
    expected<void> save_app_config(const app_config& cfg) override;

    // enroll secrets
    expected<std::vector<enroll_secret>> global_enroll_secrets() override;
    expected<void> apply_global_enroll_secrets(const std::vector<std::string>& secrets,
                                               micros now) override;
    expected<enroll_secret> enroll_secret_by_value(const std::string& secret) override;

    // teams (sql_teams.cpp)
    expected<void> apply_team_specs(const std::vector<team_spec>& specs,
                                    const boost::json::value& global_agent_options,
                                    micros now) override;
    expected<team> team_by_name(const std::string& name) override;
    expected<team> team_by_id(std::int64_t id) override;
    expected<std::vector<team>> list_teams() override;
    expected<std::vector<enroll_secret>> team_enroll_secrets(std::int64_t team_id) override;
    expected<void> set_user_teams(std::int64_t user_id,
                                  const std::vector<team_role>& roles) override;
    expected<std::map<std::int64_t, team_size>> team_sizes() override;
    expected<team> new_team(const team& t, const std::vector<std::string>& secrets,
                            micros now) override;
    expected<void> update_team(const team& t) override;
    expected<void> delete_team(std::int64_t id) override;
    expected<void> replace_team_enroll_secrets(std::int64_t team_id,
                                               const std::vector<std::string>& secrets,
                                               micros now) override;

    // queries (sql_queries.cpp)
    expected<std::vector<query>> saved_queries() override;
    expected<query> query_by_name(const std::string& name) override;
    expected<void> apply_query_specs(const std::vector<query_spec>& specs, std::int64_t author_id,
                                     micros now) override;
    expected<std::vector<query_details>> saved_query_details() override;
    expected<query_details> saved_query_details_by_id(std::int64_t id) override;
    expected<std::int64_t> new_saved_query(const query& q, micros now) override;
    expected<void> update_saved_query(const query& q, micros now) override;
    expected<std::int64_t> delete_saved_queries(const std::vector<std::int64_t>& ids) override;

    // packs (sql_packs.cpp)
    expected<std::vector<pack_spec>> pack_specs() override;
    expected<pack_spec> pack_spec_by_name(const std::string& name) override;
    expected<void> apply_pack_specs(const std::vector<pack_spec>& specs, micros now) override;

    // labels and hosts (sql_labels.cpp)
    expected<std::vector<label_spec>> label_specs() override;
    expected<label_spec> label_spec_by_name(const std::string& name) override;
    expected<void> apply_label_specs(const std::vector<label_spec>& specs, micros now) override;
    expected<label_spec> label_by_id(std::int64_t id) override;
    expected<std::map<std::int64_t, std::int64_t>> label_host_counts() override;
    expected<void> rename_label(std::int64_t id, const std::string& name,
                                const std::string& description, micros now) override;
    expected<void> delete_label(std::int64_t id) override;
    expected<std::int64_t> new_host_for_test(const std::string& identifier,
                                             const std::string& hostname,
                                             std::optional<std::int64_t> team_id,
                                             micros now) override;

    // hosts (sql_hosts.cpp)
    expected<std::vector<enrolled>> enroll_hosts(const std::vector<enroll_request>& batch,
                                                 micros now) override;
    expected<std::vector<host>> list_hosts() override;
    expected<void> delete_hosts(const std::vector<std::int64_t>& ids) override;
    expected<std::vector<std::int64_t>> set_hosts_team(const std::vector<std::int64_t>& ids,
                                                       std::optional<std::int64_t> team_id,
                                                       micros now) override;
    expected<host> host_by_id(std::int64_t id) override;
    expected<void> update_host(const host& h) override;
    expected<void> record_label_batch(const std::vector<label_results>& batch) override;
    expected<void> record_policy_batch(const std::vector<policy_results>& batch) override;
    expected<void>
    save_seen_times(const std::vector<std::pair<std::int64_t, micros>>& seen) override;
    expected<std::vector<host>> hosts_by_ids(const std::vector<std::int64_t>& ids) override;
    expected<void> update_hosts(const std::vector<host>& hosts) override;
    expected<std::vector<std::int64_t>> host_label_ids(std::int64_t host_id) override;
    expected<std::vector<policy_result>> host_policy_results(std::int64_t host_id) override;
    expected<query_catalog> load_query_catalog() override;
    expected<std::vector<host_pack>> packs_for_host(std::int64_t host_id,
                                                    std::optional<std::int64_t> team_id) override;

    expected<std::vector<pack_entry>> pack_catalog() override;
    expected<std::vector<std::pair<std::int64_t, std::int64_t>>>
    label_members(const std::vector<std::int64_t>& label_ids) override;

    // campaigns (sql_campaigns.cpp)
    expected<query> query_by_id(std::int64_t id) override;
    expected<target_selection> resolve_target_names(target_selection sel) override;
    expected<std::vector<std::int64_t>>
    target_host_ids(const target_selection& sel,
                    const std::optional<std::vector<std::int64_t>>& team_scope) override;
    expected<std::pair<campaign, query>>
    new_campaign(std::optional<std::int64_t> query_id, const std::optional<std::string>& adhoc_sql,
                 const user& author, const target_selection& sel, micros now) override;
    expected<campaign> campaign_by_id(std::int64_t id) override;
    expected<void> set_campaign_status(std::int64_t id, campaign_status s, micros now) override;

    // policies (sql_policies.cpp)
    expected<void> apply_policy_specs(const std::vector<policy_spec>& specs, std::int64_t author_id,
                                      micros now) override;
    expected<std::vector<policy>> global_policies() override;
    expected<std::vector<policy>> team_policies(std::int64_t team_id) override;
    expected<policy> policy_by_name(const std::string& name) override;

    // activities (sql_activities.cpp)
    expected<std::int64_t> new_activity(const activity& a) override;
    expected<std::vector<activity>> list_activities(const std::string& order_column,
                                                    bool descending, std::int64_t offset,
                                                    std::optional<std::int64_t> limit) override;

private:
    /// Runs `fn`, translating driver exceptions into errors.
    template <class F> auto guarded(F&& fn) -> decltype(fn()) {
        try {
            return fn();
        } catch (const db_error& e) {
            return translate(e);
        } catch (const std::exception& e) {
            return error::backend(std::string("database error: ") + e.what());
        }
    }
    /// The id of the row of `table` named `name`, if any.
    std::optional<std::int64_t> id_by_name(const char* table, const std::string& name);
    /// Fills in a user's team roles.
    void load_teams(user& u);
    /// Inside a transaction: replaces team `team_id`'s enroll secrets, keeping
    /// created_at of those that remain; `team_name` names it in the 409.
    expected<void> write_team_secrets(std::int64_t team_id, const std::string& team_name,
                                      const std::vector<std::string>& secrets, micros now);
    /// Labels matching `where`; manual labels' member hostnames when `with_hosts`.
    std::vector<label_spec> labels_where(const std::string& where,
                                         const std::vector<sql_value>& params,
                                         bool with_hosts = true);
    std::vector<pack_spec> packs_where(const std::string& where,
                                       const std::vector<sql_value>& params);
    std::vector<host> hosts_where(const std::string& where, const std::vector<sql_value>& params);
    void write_host(const host& h);
    /// One sub-batch of enroll_hosts whose identifiers are distinct.
    void enroll_distinct(const std::vector<enroll_request>& requests, std::size_t from,
                         std::size_t to, micros now, std::vector<enrolled>& out);
    /// Which of `ids` are rows of `table`.
    std::vector<std::int64_t> existing_ids(const char* table, std::vector<std::int64_t> ids);
    /// Sets an integer column of `table` by id, multi-row (one CASE per chunk).
    void set_column_by_id(const char* table, const char* column,
                          const std::vector<std::pair<std::int64_t, std::int64_t>>& values);
    /// Saved queries matching `where` (on `q`) with their details.
    std::vector<query_details> query_details_where(const std::string& where,
                                                   const std::vector<sql_value>& params);
    std::vector<policy> policies_where(const std::string& where,
                                       const std::vector<sql_value>& params);

    std::unique_ptr<db> db_;
    int tx_depth_ = 0;
};

} // namespace flotilla::storage
