/// The MySQL/MariaDB driver on Connector/C++ 1.1. OPT_RECONNECT stays off (a
/// silent reconnect loses the open transaction and invalidates prepared
/// statements); instead a lost connection (2006/2013/...) is dropped here with
/// its statement cache, and the driver is *down*: one reconnect is tried at
/// once, and work outside a transaction is retried once on the new connection.
/// While down, every call fails at once with a connection-kind db_error (no
/// connect attempt per call, no hang) until the next attempt is due; attempts
/// are spaced by exponential backoff (reconnect_backoff_first doubling up to
/// reconnect_backoff_max). A rollback on a dead connection does nothing: the
/// server has already discarded the transaction.

#include "storage/db.hpp"
#include "storage/migrations.hpp"
#include "storage/mysql/mysql_admin.hpp"
#include "storage/sql_store.hpp"

#include <chrono>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <memory>
#include <mysql_connection.h>
#include <mysql_driver.h>
#include <spdlog/spdlog.h>
#include <unordered_map>

namespace flotilla::storage {
namespace {

constexpr int er_dup_entry = 1062;
constexpr int er_server_shutdown = 1053;
constexpr int er_connection_killed = 1927;
constexpr int cr_connection_error = 2002;
constexpr int cr_conn_host_error = 2003;
constexpr int cr_server_gone = 2006;
constexpr int cr_server_lost = 2013;
constexpr int cr_server_lost_extended = 2055;

/// The first reconnect attempt after a failed one waits this long...
constexpr std::chrono::milliseconds reconnect_backoff_first{100};
/// ...each further failure doubles the wait, up to this.
constexpr std::chrono::milliseconds reconnect_backoff_max{5000};
/// How long one connect attempt may take.
constexpr int connect_timeout_seconds = 5;

/// Codes after which the connection is unusable.
bool is_connection_loss(int code) {
    switch (code) {
    case er_server_shutdown:
    case er_connection_killed:
    case cr_connection_error:
    case cr_conn_host_error:
    case cr_server_gone:
    case cr_server_lost:
    case cr_server_lost_extended:
        return true;
    default:
        return false;
    }
}

sql::ConnectOptionsMap connect_options(const mysql_options& o, bool with_database) {
    sql::ConnectOptionsMap m;
    if (!o.address.empty() && o.address.front() == '/')
        m["hostName"] = sql::SQLString("unix://" + o.address);
    else
        m["hostName"] = sql::SQLString("tcp://" + o.address);
    m["userName"] = sql::SQLString(o.username);
    m["password"] = sql::SQLString(o.password);
    if (with_database)
        m["schema"] = sql::SQLString(o.database);
    m["OPT_RECONNECT"] = false;
    m["OPT_CONNECT_TIMEOUT"] = connect_timeout_seconds;
    m["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    return m;
}

db_error to_db_error(const sql::SQLException& e) {
    int code = e.getErrorCode();
    auto k = code == er_dup_entry       ? db_error::kind::duplicate
             : is_connection_loss(code) ? db_error::kind::connection
                                        : db_error::kind::other;
    return db_error(k, code, e.what());
}

std::unique_ptr<sql::Connection> connect(const mysql_options& o, bool with_database) {
    try {
        auto opts = connect_options(o, with_database);
        return std::unique_ptr<sql::Connection>(
            sql::mysql::get_mysql_driver_instance()->connect(opts));
    } catch (const sql::SQLException& e) {
        throw db_error(db_error::kind::connection, e.getErrorCode(),
                       "cannot connect to MySQL at " + o.address + ": " + e.what());
    }
}

bool is_integer_type(int t) {
    switch (t) {
    case sql::DataType::BIT:
    case sql::DataType::TINYINT:
    case sql::DataType::SMALLINT:
    case sql::DataType::MEDIUMINT:
    case sql::DataType::INTEGER:
    case sql::DataType::BIGINT:
        return true;
    default:
        return false;
    }
}

class mysql_db final : public db {
public:
    explicit mysql_db(mysql_options o) : opts_(std::move(o)), conn_(connect(opts_, true)) {}

    sql_dialect dialect() const override { return sql_dialect::mysql; }

    std::vector<sql_row> query(std::string_view sql,
                               const std::vector<sql_value>& params) override {
        return retrying([&] {
            auto* stmt = prepared(sql, params);
            std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery());
            auto* meta = rs->getMetaData();
            const unsigned n = meta->getColumnCount();
            std::vector<bool> integer(n + 1);
            for (unsigned i = 1; i <= n; ++i)
                integer[i] = is_integer_type(meta->getColumnType(i));
            std::vector<sql_row> rows;
            while (rs->next()) {
                sql_row row;
                row.cols.reserve(n);
                for (unsigned i = 1; i <= n; ++i) {
                    if (rs->isNull(i))
                        row.cols.emplace_back(nullptr);
                    else if (integer[i])
                        row.cols.emplace_back(static_cast<std::int64_t>(rs->getInt64(i)));
                    else
                        row.cols.emplace_back(std::string(rs->getString(i)));
                }
                rows.push_back(std::move(row));
            }
            return rows;
        });
    }

    std::int64_t execute(std::string_view sql, const std::vector<sql_value>& params) override {
        return retrying(
            [&] { return static_cast<std::int64_t>(prepared(sql, params)->executeUpdate()); });
    }

    std::int64_t last_insert_id() override {
        // Never on a new connection: it would answer 0.
        return retrying([&] { return query_once("SELECT LAST_INSERT_ID()").at(0).i64(0); }, false);
    }

    void begin() override {
        in_tx_ = tx_lost_ = false;
        plain("START TRANSACTION");
        in_tx_ = true;
    }
    void commit() override {
        if (tx_lost_) {
            in_tx_ = tx_lost_ = false;
            throw down_error();
        }
        // Inside the transaction, so never retried: a lost COMMIT is reported.
        plain("COMMIT");
        in_tx_ = false;
    }
    void rollback() override {
        in_tx_ = tx_lost_ = false;
        if (!conn_)
            return; // the server dropped the transaction with the connection
        try {
            std::unique_ptr<sql::Statement> st(conn_->createStatement());
            st->execute("ROLLBACK");
        } catch (const sql::SQLException& e) {
            if (!is_connection_loss(e.getErrorCode()))
                throw to_db_error(e);
            lost(e.what());
        }
    }

private:
    /// One row set of a parameterless statement on the current connection.
    std::vector<sql_row> query_once(const char* sql) {
        std::unique_ptr<sql::Statement> st(conn_->createStatement());
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
        std::vector<sql_row> rows;
        while (rs->next())
            rows.push_back(sql_row{{static_cast<std::int64_t>(rs->getInt64(1))}});
        return rows;
    }

    void plain(const char* sql) {
        retrying([&] {
            std::unique_ptr<sql::Statement> st(conn_->createStatement());
            st->execute(sql);
            return 0;
        });
    }

    sql::PreparedStatement* prepared(std::string_view sql, const std::vector<sql_value>& params) {
        std::string key(sql);
        auto it = cache_.find(key);
        if (it == cache_.end())
            it = cache_
                     .emplace(key,
                              std::unique_ptr<sql::PreparedStatement>(conn_->prepareStatement(key)))
                     .first;
        auto* stmt = it->second.get();
        for (std::size_t i = 0; i < params.size(); ++i) {
            unsigned idx = static_cast<unsigned>(i + 1);
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::nullptr_t>)
                        stmt->setNull(idx, sql::DataType::VARCHAR);
                    else if constexpr (std::is_same_v<T, std::int64_t>)
                        stmt->setInt64(idx, v);
                    else
                        stmt->setString(idx, sql::SQLString(v));
                },
                params[i]);
        }
        return stmt;
    }

    /// Runs `fn` on a live connection. On a lost connection the driver goes
    /// down; outside a transaction (and when `retry`) one reconnect is tried at
    /// once and `fn` runs again. Inside one the transaction is gone: every call
    /// fails until rollback, so nothing of it runs on a new connection.
    template <class F> auto retrying(F&& fn, bool retry = true) -> decltype(fn()) {
        if (tx_lost_)
            throw down_error();
        ensure_connected();
        try {
            return fn();
        } catch (const sql::SQLException& e) {
            if (!is_connection_loss(e.getErrorCode()))
                throw to_db_error(e);
            lost(e.what());
            if (in_tx_ || !retry)
                throw down_error();
        }
        ensure_connected();
        try {
            return fn();
        } catch (const sql::SQLException& e) {
            if (is_connection_loss(e.getErrorCode())) {
                lost(e.what());
                throw down_error();
            }
            throw to_db_error(e);
        }
    }

    using clock = std::chrono::steady_clock;

    /// Forgets the connection: the driver is down, and the next call may try at once.
    void lost(const std::string& why) {
        if (conn_)
            spdlog::error("mysql: lost the connection to {}: {}", opts_.address, why);
        cache_.clear(); // statements before their connection
        conn_.reset();
        tx_lost_ = in_tx_;
        last_error_ = why;
        next_attempt_ = clock::now();
    }

    /// Returns with a connection, or throws a connection-kind db_error: at once
    /// when the next attempt is not due yet, after one attempt otherwise.
    void ensure_connected() {
        if (conn_)
            return;
        if (clock::now() < next_attempt_)
            throw down_error();
        try {
            conn_ = connect(opts_, true);
        } catch (const db_error& e) {
            last_error_ = e.what();
            next_attempt_ = clock::now() + backoff_;
            spdlog::warn("mysql: reconnect to {} failed (next attempt in {} ms): {}", opts_.address,
                         backoff_.count(), e.what());
            backoff_ = std::min(backoff_ * 2, reconnect_backoff_max);
            throw down_error();
        }
        spdlog::info("mysql: reconnected to {}", opts_.address);
        backoff_ = reconnect_backoff_first;
    }

    db_error down_error() const {
        return db_error(db_error::kind::connection, cr_server_gone,
                        "no connection to MySQL at " + opts_.address + " (" + last_error_ +
                            "); reconnecting");
    }

    mysql_options opts_;
    std::unique_ptr<sql::Connection> conn_;
    std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> cache_;
    bool in_tx_ = false;
    bool tx_lost_ = false; ///< the open transaction's connection is gone
    std::string last_error_;
    clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_ = reconnect_backoff_first;
};

} // namespace

expected<std::unique_ptr<store>> open_mysql_store(const mysql_options& opts, migrate_mode mode) {
    try {
        auto d = std::make_unique<mysql_db>(opts);
        if (mode == migrate_mode::apply) {
            apply_migrations(*d, now_micros());
        } else {
            auto v = current_schema_version(*d);
            if (v < latest_schema_version())
                return error::backend("the MySQL database '" + opts.database +
                                      "' is at schema version " + std::to_string(v) + ", not " +
                                      std::to_string(latest_schema_version()) +
                                      ": run `flotilla prepare db` first");
            if (v > latest_schema_version())
                return error::backend("the MySQL database '" + opts.database +
                                      "' has a newer schema (" + std::to_string(v) +
                                      ") than this flotilla knows");
        }
        return std::unique_ptr<store>(std::make_unique<sql_store>(std::move(d)));
    } catch (const db_error& e) {
        return error::backend(std::string("mysql: ") + e.what());
    }
}

expected<void> mysql_admin_execute(const mysql_options& opts, const std::string& sql) {
    try {
        auto conn = connect(opts, false);
        std::unique_ptr<sql::Statement> st(conn->createStatement());
        st->execute(sql);
        return {};
    } catch (const db_error& e) {
        return error::backend(e.what());
    } catch (const sql::SQLException& e) {
        return error::backend(e.what());
    }
}

expected<std::vector<std::int64_t>> mysql_connection_ids_for_test(const mysql_options& opts,
                                                                  const std::string& database) {
    try {
        auto conn = connect(opts, false);
        std::unique_ptr<sql::PreparedStatement> st(
            conn->prepareStatement("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ?"));
        st->setString(1, database);
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
        std::vector<std::int64_t> ids;
        while (rs->next())
            ids.push_back(rs->getInt64(1));
        return ids;
    } catch (const db_error& e) {
        return error::backend(e.what());
    } catch (const sql::SQLException& e) {
        return error::backend(e.what());
    }
}

} // namespace flotilla::storage
