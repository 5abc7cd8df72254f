/// The SQLite driver: WAL, synchronous=NORMAL, busy_timeout, foreign keys on,
/// and a cache of prepared statements keyed by SQL text.

#include "storage/db.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_store.hpp"

#include <memory>
#include <sqlite3.h>
#include <unordered_map>

namespace flotilla::storage {
namespace {

class sqlite_db final : public db {
public:
    explicit sqlite_db(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &conn_,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK) {
            std::string msg = conn_ ? sqlite3_errmsg(conn_) : "out of memory";
            sqlite3_close(conn_);
            conn_ = nullptr;
            throw db_error(db_error::kind::connection, SQLITE_CANTOPEN,
                           "cannot open " + path + ": " + msg);
        }
        for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                                   "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON"})
            query(pragma, {});
    }
    ~sqlite_db() override {
        for (auto& [sql, stmt] : cache_)
            sqlite3_finalize(stmt);
        sqlite3_close(conn_);
    }

    sql_dialect dialect() const override { return sql_dialect::sqlite; }

    std::vector<sql_row> query(std::string_view sql,
                               const std::vector<sql_value>& params) override {
        sqlite3_stmt* stmt = run(sql, params);
        std::vector<sql_row> rows;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            sql_row row;
            int n = sqlite3_column_count(stmt);
            row.cols.reserve(n);
            for (int i = 0; i < n; ++i) {
                switch (sqlite3_column_type(stmt, i)) {
                case SQLITE_NULL:
                    row.cols.emplace_back(nullptr);
                    break;
                case SQLITE_INTEGER:
                    row.cols.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, i)));
                    break;
                default:
                    row.cols.emplace_back(
                        std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                    sqlite3_column_bytes(stmt, i)));
                }
            }
            rows.push_back(std::move(row));
        }
        finish(stmt, rc);
        return rows;
    }

    std::int64_t execute(std::string_view sql, const std::vector<sql_value>& params) override {
        sqlite3_stmt* stmt = run(sql, params);
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        finish(stmt, rc);
        return sqlite3_changes(conn_);
    }

    std::int64_t last_insert_id() override { return sqlite3_last_insert_rowid(conn_); }
    void begin() override { execute("BEGIN IMMEDIATE", {}); }
    void commit() override { execute("COMMIT", {}); }
    void rollback() override { execute("ROLLBACK", {}); }

private:
    [[noreturn]] void fail(int rc) {
        throw db_error(kind_of(sqlite3_extended_errcode(conn_)), rc, sqlite3_errmsg(conn_));
    }

    sqlite3_stmt* run(std::string_view sql, const std::vector<sql_value>& params) {
        std::string key(sql);
        sqlite3_stmt* stmt;
        auto it = cache_.find(key);
        if (it != cache_.end()) {
            stmt = it->second;
        } else {
            int rc =
                sqlite3_prepare_v2(conn_, key.data(), static_cast<int>(key.size()), &stmt, nullptr);
            if (rc != SQLITE_OK)
                fail(rc);
            cache_.emplace(std::move(key), stmt);
        }
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        for (std::size_t i = 0; i < params.size(); ++i) {
            int idx = static_cast<int>(i + 1);
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::nullptr_t>)
                        sqlite3_bind_null(stmt, idx);
                    else if constexpr (std::is_same_v<T, std::int64_t>)
                        sqlite3_bind_int64(stmt, idx, v);
                    else
                        sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()),
                                          SQLITE_TRANSIENT);
                },
                params[i]);
        }
        return stmt;
    }

    void finish(sqlite3_stmt* stmt, int rc) {
        if (rc != SQLITE_DONE) {
            int ext = sqlite3_extended_errcode(conn_);
            std::string msg = sqlite3_errmsg(conn_);
            sqlite3_reset(stmt);
            throw db_error(kind_of(ext), rc, msg);
        }
        sqlite3_reset(stmt);
    }

    /// Unique keys are duplicates; a lock still held by another connection after
    /// busy_timeout is the store being unavailable for now (503), not a fault.
    static db_error::kind kind_of(int ext) {
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return db_error::kind::duplicate;
        const int primary = ext & 0xff;
        if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
            return db_error::kind::busy;
        return db_error::kind::other;
    }

    sqlite3* conn_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

} // namespace

expected<std::unique_ptr<store>> open_sqlite_store(const std::string& path) {
    try {
        auto d = std::make_unique<sqlite_db>(path);
        apply_migrations(*d, now_micros());
        return std::unique_ptr<store>(std::make_unique<sql_store>(std::move(d)));
    } catch (const db_error& e) {
        return error::backend(std::string("sqlite: ") + e.what());
    }
}

} // namespace flotilla::storage
