#include "storage/sql_store.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace flotilla::storage {

// --- rows ---------------------------------------------------------------------

std::int64_t sql_row::i64(std::size_t i) const {
    const auto& v = cols.at(i);
    if (auto p = std::get_if<std::int64_t>(&v))
        return *p;
    if (auto s = std::get_if<std::string>(&v)) {
        if (auto n = json::parse_int64(*s))
            return *n;
        throw db_error(db_error::kind::other, 0,
                       "column " + std::to_string(i) + " is not an integer: '" + *s + "'");
    }
    return 0;
}

std::optional<std::int64_t> sql_row::opt_i64(std::size_t i) const {
    if (is_null(i))
        return std::nullopt;
    return i64(i);
}

std::string sql_row::str(std::size_t i) const {
    const auto& v = cols.at(i);
    if (auto s = std::get_if<std::string>(&v))
        return *s;
    if (auto p = std::get_if<std::int64_t>(&v))
        return std::to_string(*p);
    return {};
}

// --- errors and transactions ---------------------------------------------------

error translate(const db_error& e) {
    if (e.k == db_error::kind::duplicate)
        return {errc::already_exists, "Resource Already Exists", {{"base", e.what()}}};
    if (e.k == db_error::kind::connection || e.k == db_error::kind::busy)
        return error::unavailable(std::string("the store is unavailable: ") + e.what());
    return error::backend(std::string("database error: ") + e.what());
}

std::optional<std::int64_t> sql_store::id_by_name(const char* table, const std::string& name) {
    auto rows = db_->query(std::string("SELECT id FROM ") + table + " WHERE name = ?", {name});
    if (rows.empty())
        return std::nullopt;
    return rows[0].i64(0);
}

void sql_store::load_teams(user& u) {
    u.teams.clear();
    for (const auto& r :
         db_->query("SELECT t.id, t.name, t.description, ut.role FROM user_teams ut "
                    "JOIN teams t ON t.id = ut.team_id WHERE ut.user_id = ? "
                    "ORDER BY t.id",
                    {u.id}))
        u.teams.push_back(
            {r.i64(0), r.str(1), r.str(2), role_from_string(r.str(3)).value_or(role::observer)});
}

expected<void> sql_store::transaction(const std::function<expected<void>()>& fn) {
    if (tx_depth_ > 0)
        return fn();
    try {
        db_->begin();
    } catch (const db_error& e) {
        return translate(e);
    } catch (const std::exception& e) {
        return error::backend(std::string("database error: ") + e.what());
    }
    ++tx_depth_;
    expected<void> result;
    try {
        result = fn();
    } catch (const db_error& e) {
        result = translate(e);
    } catch (const std::exception& e) {
        result = error::backend(std::string("database error: ") + e.what());
    }
    --tx_depth_;
    if (!result) {
        // A failed rollback must not hide why the work failed; a dead connection's
        // rollback is a no-op in the driver.
        try {
            db_->rollback();
        } catch (const std::exception& e) {
            spdlog::warn("rollback failed: {}", e.what());
        }
        return result;
    }
    try {
        db_->commit();
    } catch (const std::exception& e) {
        try {
            db_->rollback();
        } catch (...) {
        }
        if (const auto* d = dynamic_cast<const db_error*>(&e))
            return translate(*d);
        return error::backend(std::string("database error: ") + e.what());
    }
    return result;
}

expected<void> sql_store::ping() {
    return guarded([&]() -> expected<void> {
        db_->query("SELECT 1", {});
        return {};
    });
}

std::string sql_store::backend_name() const {
    return db_->dialect() == sql_dialect::mysql ? "mysql" : "sqlite";
}

// --- users -------------------------------------------------------------------

static constexpr const char* user_columns =
    "id, created_at, updated_at, name, email, password_hash, position, gravatar_url, "
    "force_password_reset, sso_enabled, api_only, global_role";

static user user_from_row(const sql_row& r) {
    user u;
    u.id = r.i64(0);
    u.created_at = r.i64(1);
    u.updated_at = r.i64(2);
    u.name = r.str(3);
    u.email = r.str(4);
    u.password_hash = r.str(5);
    u.position = r.str(6);
    u.gravatar_url = r.str(7);
    u.force_password_reset = r.flag(8);
    u.sso_enabled = r.flag(9);
    u.api_only = r.flag(10);
    if (!r.is_null(11))
        u.global_role = role_from_string(r.str(11));
    return u;
}

expected<std::int64_t> sql_store::count_users() {
    return guarded([&]() -> expected<std::int64_t> {
        return db_->query("SELECT COUNT(*) FROM users", {}).at(0).i64(0);
    });
}

expected<user> sql_store::new_user(user u, micros now) {
    return guarded([&]() -> expected<user> {
        sql_value global_role = nullptr;
        if (u.global_role)
            global_role = std::string(to_string(*u.global_role));
        try {
            db_->execute("INSERT INTO users (created_at, updated_at, name, email, password_hash, "
                         "position, gravatar_url, force_password_reset, sso_enabled, api_only, "
                         "global_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         {now, now, u.name, u.email, u.password_hash, u.position, u.gravatar_url,
                          std::int64_t{u.force_password_reset}, std::int64_t{u.sso_enabled},
                          std::int64_t{u.api_only}, global_role});
        } catch (const db_error& e) {
            if (e.k == db_error::kind::duplicate)
                return error{errc::already_exists,
                             "Resource Already Exists",
                             {{"base", "User \"" + u.email + "\" already exists"}}};
            throw;
        }
        u.id = db_->last_insert_id();
        u.created_at = u.updated_at = now;
        return u;
    });
}

expected<user> sql_store::user_by_email(const std::string& email) {
    return guarded([&]() -> expected<user> {
        auto rows = db_->query(
            std::string("SELECT ") + user_columns + " FROM users WHERE email = ?", {email});
        if (rows.empty())
            return error::not_found("User", email);
        auto u = user_from_row(rows[0]);
        load_teams(u);
        return u;
    });
}

expected<user> sql_store::user_by_id(std::int64_t id) {
    return guarded([&]() -> expected<user> {
        auto rows =
            db_->query(std::string("SELECT ") + user_columns + " FROM users WHERE id = ?", {id});
        if (rows.empty())
            return error::not_found("User", std::to_string(id));
        auto u = user_from_row(rows[0]);
        load_teams(u);
        return u;
    });
}

expected<std::vector<user>> sql_store::list_users() {
    return guarded([&]() -> expected<std::vector<user>> {
        std::vector<user> out;
        for (const auto& r :
             db_->query(std::string("SELECT ") + user_columns + " FROM users ORDER BY id", {}))
            out.push_back(user_from_row(r));
        for (auto& u : out)
            load_teams(u);
        return out;
    });
}

expected<user> sql_store::update_user(user u, micros now) {
    return guarded([&]() -> expected<user> {
        sql_value global_role = nullptr;
        if (u.global_role)
            global_role = std::string(to_string(*u.global_role));
        std::int64_t changed = 0;
        try {
            changed = db_->execute(
                "UPDATE users SET updated_at = ?, name = ?, email = ?, password_hash = ?, "
                "position = ?, gravatar_url = ?, force_password_reset = ?, sso_enabled = ?, "
                "api_only = ?, global_role = ? WHERE id = ?",
                {now, u.name, u.email, u.password_hash, u.position, u.gravatar_url,
                 std::int64_t{u.force_password_reset}, std::int64_t{u.sso_enabled},
                 std::int64_t{u.api_only}, global_role, u.id});
        } catch (const db_error& e) {
            if (e.k == db_error::kind::duplicate)
                return error{errc::already_exists,
                             "Resource Already Exists",
                             {{"email", "User \"" + u.email + "\" already exists"}}};
            throw;
        }
        // MariaDB counts changed rows, SQLite matched ones: ask when nothing changed.
        if (changed == 0 && db_->query("SELECT 1 FROM users WHERE id = ?", {u.id}).empty())
            return error::not_found("User", std::to_string(u.id));
        u.updated_at = now;
        return u;
    });
}

expected<void> sql_store::delete_user(std::int64_t id) {
    return transaction([&]() -> expected<void> {
        if (db_->query("SELECT 1 FROM users WHERE id = ?", {id}).empty())
            return error::not_found("User", std::to_string(id));
        db_->execute("DELETE FROM sessions WHERE user_id = ?", {id});
        db_->execute("DELETE FROM user_teams WHERE user_id = ?", {id});
        db_->execute("DELETE FROM users WHERE id = ?", {id});
        return {};
    });
}

// --- sessions ----------------------------------------------------------------

expected<session> sql_store::new_session(std::int64_t user_id, const std::string& key_digest,
                                         micros now) {
    return guarded([&]() -> expected<session> {
        db_->execute("INSERT INTO sessions (user_id, key_digest, created_at, accessed_at) VALUES "
                     "(?, ?, ?, ?)",
                     {user_id, key_digest, now, now});
        return session{db_->last_insert_id(), user_id, key_digest, now, now};
    });
}

expected<session> sql_store::session_by_digest(const std::string& key_digest) {
    return guarded([&]() -> expected<session> {
        auto rows = db_->query("SELECT id, user_id, key_digest, created_at, accessed_at FROM "
                               "sessions WHERE key_digest = ?",
                               {key_digest});
        if (rows.empty())
            return error::not_found("Session", "with that key");
        const auto& r = rows[0];
        return session{r.i64(0), r.i64(1), r.str(2), r.i64(3), r.i64(4)};
    });
}

expected<void> sql_store::touch_session(std::int64_t id, micros now) {
    return guarded([&]() -> expected<void> {
        db_->execute("UPDATE sessions SET accessed_at = ? WHERE id = ?", {now, id});
        return {};
    });
}

expected<void> sql_store::delete_session(std::int64_t id) {
    return guarded([&]() -> expected<void> {
        db_->execute("DELETE FROM sessions WHERE id = ?", {id});
        return {};
    });
}

expected<std::vector<session>> sql_store::user_sessions(std::int64_t user_id) {
    return guarded([&]() -> expected<std::vector<session>> {
        std::vector<session> out;
        for (const auto& r : db_->query("SELECT id, user_id, key_digest, created_at, accessed_at "
                                        "FROM sessions WHERE user_id = ? ORDER BY id",
                                        {user_id}))
            out.push_back({r.i64(0), r.i64(1), r.str(2), r.i64(3), r.i64(4)});
        return out;
    });
}

expected<std::int64_t> sql_store::delete_user_sessions(std::int64_t user_id, std::int64_t keep) {
    return guarded([&]() -> expected<std::int64_t> {
        return db_->execute("DELETE FROM sessions WHERE user_id = ? AND id <> ?", {user_id, keep});
    });
}

expected<std::int64_t> sql_store::delete_expired_sessions(micros now) {
    return guarded([&]() -> expected<std::int64_t> {
        return db_->execute("DELETE FROM sessions WHERE accessed_at < ?",
                            {now - session_idle_lifetime});
    });
}

// --- app config ----------------------------------------------------------------

expected<app_config> sql_store::load_app_config() {
    return guarded([&]() -> expected<app_config> {
        auto rows = db_->query("SELECT json_value FROM app_config WHERE id = 1", {});
        if (rows.empty())
            return error::not_found("AppConfig", "1");
        return app_config_from_stored(boost::json::parse(rows[0].str(0)));
    });
}

expected<void> sql_store::save_app_config(const app_config& cfg) {
    return guarded([&]() -> expected<void> {
        std::string text = boost::json::serialize(cfg.doc);
        return transaction([&]() -> expected<void> {
            db_->execute("DELETE FROM app_config WHERE id = 1", {});
            db_->execute("INSERT INTO app_config (id, json_value) VALUES (1, ?)", {text});
            return {};
        });
    });
}

// --- enroll secrets ------------------------------------------------------------

expected<std::vector<enroll_secret>> sql_store::global_enroll_secrets() {
    return guarded([&]() -> expected<std::vector<enroll_secret>> {
        std::vector<enroll_secret> out;
        for (const auto& r : db_->query("SELECT secret, created_at FROM enroll_secrets WHERE "
                                        "team_id IS NULL ORDER BY created_at, secret",
                                        {}))
            out.push_back({r.str(0), r.i64(1), std::nullopt});
        return out;
    });
}

expected<void> sql_store::apply_global_enroll_secrets(const std::vector<std::string>& secrets,
                                                      micros now) {
    return transaction([&]() -> expected<void> {
        std::vector<std::pair<std::string, micros>> kept;
        for (const auto& r :
             db_->query("SELECT secret, created_at FROM enroll_secrets WHERE team_id IS NULL", {}))
            kept.emplace_back(r.str(0), r.i64(1));
        db_->execute("DELETE FROM enroll_secrets WHERE team_id IS NULL", {});
        for (const auto& s : secrets) {
            micros created = now;
            for (const auto& [old, at] : kept)
                if (old == s)
                    created = at;
            // A repeated secret within one request keeps its first row.
            auto owner = db_->query("SELECT team_id FROM enroll_secrets WHERE secret = ?", {s});
            if (!owner.empty()) {
                if (!owner[0].is_null(0))
                    return error{errc::already_exists,
                                 "Resource Already Exists",
                                 {{"secrets", "enroll secret is already in use by a team"}}};
                continue;
            }
            db_->execute("INSERT INTO enroll_secrets (secret, team_id, created_at) VALUES (?, "
                         "NULL, ?)",
                         {s, created});
        }
        return {};
    });
}

expected<enroll_secret> sql_store::enroll_secret_by_value(const std::string& secret) {
    return guarded([&]() -> expected<enroll_secret> {
        auto rows = db_->query(
            "SELECT secret, created_at, team_id FROM enroll_secrets WHERE secret = ?", {secret});
        if (rows.empty())
            return error::not_found("EnrollSecret", "with that value");
        return enroll_secret{rows[0].str(0), rows[0].i64(1), rows[0].opt_i64(2)};
    });
}

} // namespace flotilla::storage
