#include "storage/migrations.hpp"

namespace flotilla::storage {

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
