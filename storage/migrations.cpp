#include "storage/migrations.hpp"

#include "model/label.hpp"

namespace flotilla::storage {

namespace {

std::string sql_literal(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

/// The builtin labels as data (fleet-behaviour.md §7), ids included.
std::vector<std::string> builtin_label_rows() {
    std::vector<std::string> out;
    for (const auto& l : builtin_labels())
        out.push_back("INSERT INTO labels (id, name, description, query, platform, label_type, "
                      "label_membership_type, created_at, updated_at) VALUES (" +
                      std::to_string(l.id) + ", " + sql_literal(l.name) + ", " +
                      sql_literal(l.description) + ", " + sql_literal(l.query) + ", " +
                      sql_literal(l.platform) + ", 1, 0, 0, 0)");
    return out;
}

/// Migration 3: the columns detail queries fill in, and policy results.
std::vector<std::string> host_detail_columns() {
    std::vector<std::string> out;
    for (const char* c :
         {"osquery_version", "os_version", "build", "platform_like", "code_name", "cpu_type",
          "cpu_subtype", "cpu_brand", "hardware_vendor", "hardware_model", "hardware_version",
          "hardware_serial", "computer_name", "primary_ip", "primary_mac"})
        out.push_back(std::string("ALTER TABLE hosts ADD COLUMN ") + c +
                      " ${STR} NOT NULL DEFAULT ''");
    for (const char* c :
         {"uptime_ns", "memory", "cpu_physical_cores", "cpu_logical_cores", "distributed_interval",
          "config_tls_refresh", "logger_tls_period", "detail_updated_at", "label_updated_at",
          "policy_updated_at", "last_enrolled_at", "seen_time", "refetch_requested"})
        out.push_back(std::string("ALTER TABLE hosts ADD COLUMN ") + c +
                      " BIGINT NOT NULL DEFAULT 0");
    out.push_back("CREATE INDEX label_membership_host ON label_membership (host_id)");
    out.push_back(R"(CREATE TABLE policy_membership (
                 policy_id BIGINT NOT NULL,
                 host_id BIGINT NOT NULL,
                 passes INTEGER NULL,
                 updated_at BIGINT NOT NULL,
                 PRIMARY KEY (policy_id, host_id),
                 FOREIGN KEY (policy_id) REFERENCES policies(id) ON DELETE CASCADE,
                 FOREIGN KEY (host_id) REFERENCES hosts(id) ON DELETE CASCADE
             )${ENGINE})");
    return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace

const std::vector<migration>& all_migrations() {
    static const std::vector<migration> list = {
        {1,
         "users, sessions, app config, enroll secrets",
         {
             R"(CREATE TABLE users (
                 id ${ID},
                 created_at BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL,
                 name ${STR} NOT NULL,
                 email ${STR} NOT NULL UNIQUE,
                 password_hash ${STR} NOT NULL,
                 position ${STR} NOT NULL DEFAULT '',
                 gravatar_url ${STR} NOT NULL DEFAULT '',
                 force_password_reset INTEGER NOT NULL DEFAULT 0,
                 sso_enabled INTEGER NOT NULL DEFAULT 0,
                 api_only INTEGER NOT NULL DEFAULT 0,
                 global_role ${STR} NULL
             )${ENGINE})",
             R"(CREATE TABLE sessions (
                 id ${ID},
                 user_id BIGINT NOT NULL,
                 key_digest ${STR} NOT NULL UNIQUE,
                 created_at BIGINT NOT NULL,
                 accessed_at BIGINT NOT NULL,
                 FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
             )${ENGINE})",
             R"(CREATE TABLE app_config (
                 id INTEGER NOT NULL PRIMARY KEY,
                 json_value ${TEXT} NOT NULL
             )${ENGINE})",
             R"(CREATE TABLE enroll_secrets (
                 secret ${STR} NOT NULL PRIMARY KEY,
                 team_id BIGINT NULL,
                 created_at BIGINT NOT NULL
             )${ENGINE})",
         }},
        {2, "teams, user team roles, queries, packs, labels, hosts, policies",
         concat(
             {
                 R"(CREATE TABLE teams (
                 id ${ID},
                 name ${STR} NOT NULL UNIQUE,
                 description ${STR} NOT NULL DEFAULT '',
                 agent_options ${TEXT} NULL,
                 created_at BIGINT NOT NULL
             )${ENGINE})",
                 R"(CREATE TABLE user_teams (
                 user_id BIGINT NOT NULL,
                 team_id BIGINT NOT NULL,
                 role ${STR} NOT NULL,
                 PRIMARY KEY (user_id, team_id),
                 FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
                 FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE CASCADE
             )${ENGINE})",
                 R"(CREATE TABLE queries (
                 id ${ID},
                 name ${STR} NOT NULL UNIQUE,
                 description ${TEXT} NOT NULL,
                 query ${TEXT} NOT NULL,
                 saved INTEGER NOT NULL DEFAULT 1,
                 observer_can_run INTEGER NOT NULL DEFAULT 0,
                 author_id BIGINT NULL,
                 created_at BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL
             )${ENGINE})",
                 R"(CREATE TABLE packs (
                 id ${ID},
                 name ${STR} NOT NULL UNIQUE,
                 description ${TEXT} NOT NULL,
                 platform ${STR} NOT NULL DEFAULT '',
                 disabled INTEGER NOT NULL DEFAULT 0,
                 pack_type ${STR} NULL,
                 created_at BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL
             )${ENGINE})",
                 R"(CREATE TABLE scheduled_queries (
                 id ${ID},
                 pack_id BIGINT NOT NULL,
                 query_name ${STR} NOT NULL,
                 name ${STR} NOT NULL,
                 description ${TEXT} NOT NULL,
                 schedule_interval BIGINT NOT NULL,
                 snapshot INTEGER NULL,
                 removed INTEGER NULL,
                 shard BIGINT NULL,
                 platform ${STR} NULL,
                 version ${STR} NULL,
                 denylist INTEGER NULL,
                 UNIQUE (pack_id, name),
                 FOREIGN KEY (pack_id) REFERENCES packs(id) ON DELETE CASCADE,
                 FOREIGN KEY (query_name) REFERENCES queries(name) ON DELETE CASCADE ON UPDATE CASCADE
             )${ENGINE})",
                 R"(CREATE TABLE pack_targets (
                 pack_id BIGINT NOT NULL,
                 target_type INTEGER NOT NULL,
                 target_id BIGINT NOT NULL,
                 PRIMARY KEY (pack_id, target_type, target_id),
                 FOREIGN KEY (pack_id) REFERENCES packs(id) ON DELETE CASCADE
             )${ENGINE})",
                 R"(CREATE TABLE labels (
                 id ${ID},
                 name ${STR} NOT NULL UNIQUE,
                 description ${TEXT} NOT NULL,
                 query ${TEXT} NOT NULL,
                 platform ${STR} NOT NULL DEFAULT '',
                 label_type INTEGER NOT NULL DEFAULT 0,
                 label_membership_type INTEGER NOT NULL DEFAULT 0,
                 created_at BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL
             )${ENGINE})",
                 R"(CREATE TABLE hosts (
                 id ${ID},
                 osquery_host_id ${STR} NOT NULL UNIQUE,
                 node_key ${STR} NULL UNIQUE,
                 hostname ${STR} NOT NULL DEFAULT '',
                 uuid ${STR} NOT NULL DEFAULT '',
                 platform ${STR} NOT NULL DEFAULT '',
                 team_id BIGINT NULL,
                 created_at BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL,
                 FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE SET NULL
             )${ENGINE})",
                 "CREATE INDEX hosts_hostname ON hosts (hostname)",
                 R"(CREATE TABLE label_membership (
                 label_id BIGINT NOT NULL,
                 host_id BIGINT NOT NULL,
                 PRIMARY KEY (label_id, host_id),
                 FOREIGN KEY (label_id) REFERENCES labels(id) ON DELETE CASCADE,
                 FOREIGN KEY (host_id) REFERENCES hosts(id) ON DELETE CASCADE
             )${ENGINE})",
                 R"(CREATE TABLE policies (
                 id ${ID},
                 name ${STR} NOT NULL UNIQUE,
                 query ${TEXT} NOT NULL,
                 description ${TEXT} NOT NULL,
                 resolution ${TEXT} NOT NULL,
                 team_id BIGINT NULL,
                 platforms ${STR} NOT NULL DEFAULT '',
                 author_id BIGINT NULL,
                 created_at BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL,
                 FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE CASCADE
             )${ENGINE})",
             },
             builtin_label_rows())},
        {3, "host details, seen times, policy results", host_detail_columns()},
        {4,
         "live query campaigns and their targets",
         {
             R"(CREATE TABLE campaigns (
                 id ${ID},
                 query_id BIGINT NOT NULL,
                 status INTEGER NOT NULL DEFAULT 0,
                 user_id BIGINT NOT NULL,
                 created_at BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL
             )${ENGINE})",
             R"(CREATE TABLE campaign_targets (
                 campaign_id BIGINT NOT NULL,
                 target_type INTEGER NOT NULL,
                 target_id BIGINT NOT NULL,
                 PRIMARY KEY (campaign_id, target_type, target_id),
                 FOREIGN KEY (campaign_id) REFERENCES campaigns(id) ON DELETE CASCADE
             )${ENGINE})",
         }},
        {5,
         "activities",
         {
             R"(CREATE TABLE activities (
                 id ${ID},
                 created_at BIGINT NOT NULL,
                 user_id BIGINT NULL,
                 user_name ${STR} NOT NULL DEFAULT '',
                 user_email ${STR} NOT NULL DEFAULT '',
                 activity_type ${STR} NOT NULL,
                 details ${TEXT} NOT NULL
             )${ENGINE})",
             "CREATE INDEX activities_created_at ON activities (created_at)",
         }},
    };
    return list;
}

std::int64_t latest_schema_version() {
    return all_migrations().back().version;
}

std::string expand_sql(const std::string& sql, sql_dialect dialect) {
    const bool my = dialect == sql_dialect::mysql;
    const std::pair<std::string, std::string> subs[] = {
        {"${ID}",
         my ? "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"},
        {"${STR}", my ? "VARCHAR(255)" : "TEXT"},
        {"${TEXT}", my ? "MEDIUMTEXT" : "TEXT"},
        {"${ENGINE}", my ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : ""},
    };
    std::string out = sql;
    for (const auto& [from, to] : subs)
        for (auto pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos))
            out.replace(pos, from.size(), to), pos += to.size();
    return out;
}

static void ensure_migrations_table(db& d) {
    d.execute(expand_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL "
                         "PRIMARY KEY, applied_at BIGINT NOT NULL)${ENGINE}",
                         d.dialect()),
              {});
}

std::int64_t current_schema_version(db& d) {
    ensure_migrations_table(d);
    auto rows = d.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
    return rows.empty() ? 0 : rows[0].i64(0);
}

void apply_migrations(db& d, std::int64_t now_micros) {
    const std::int64_t current = current_schema_version(d);
    for (const auto& m : all_migrations()) {
        if (m.version <= current)
            continue;
        d.begin();
        try {
            for (const auto& stmt : m.statements)
                d.execute(expand_sql(stmt, d.dialect()), {});
            d.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                      {m.version, now_micros});
            d.commit();
        } catch (...) {
            d.rollback();
            throw;
        }
    }
}

} // namespace flotilla::storage
