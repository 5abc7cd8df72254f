/// The MySQL/MariaDB driver on Connector/C++ 1.1. OPT_RECONNECT stays off (a
/// silent reconnect loses the open transaction and invalidates prepared
/// statements); instead a lost connection (2006/2013) is reopened here, the
/// statement cache is dropped, and work outside a transaction is retried once.

#include "storage/db.hpp"
#include "storage/migrations.hpp"
#include "storage/mysql/mysql_admin.hpp"
#include "storage/sql_store.hpp"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <memory>
#include <mysql_connection.h>
#include <mysql_driver.h>
#include <unordered_map>

namespace flotilla::storage {
namespace {

constexpr int er_dup_entry = 1062;
constexpr int cr_server_gone = 2006;
constexpr int cr_server_lost = 2013;

bool is_connection_loss(int code) {
    return code == cr_server_gone || code == cr_server_lost;
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
    m["OPT_CONNECT_TIMEOUT"] = 5;
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
        return query("SELECT LAST_INSERT_ID()", {}).at(0).i64(0);
    }

    void begin() override {
        plain("START TRANSACTION");
        in_tx_ = true;
    }
    void commit() override {
        in_tx_ = false;
        plain("COMMIT");
    }
    void rollback() override {
        in_tx_ = false;
        plain("ROLLBACK");
    }

private:
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

    /// Runs `fn`; on a lost connection reconnects, and retries once when no
    /// transaction was open (inside one, the transaction is gone: report it).
    template <class F> auto retrying(F&& fn) -> decltype(fn()) {
        try {
            return fn();
        } catch (const sql::SQLException& e) {
            if (!is_connection_loss(e.getErrorCode()))
                throw to_db_error(e);
            const bool was_in_tx = in_tx_;
            reconnect();
            if (was_in_tx)
                throw to_db_error(e);
        }
        try {
            return fn();
        } catch (const sql::SQLException& e) {
            throw to_db_error(e);
        }
    }

    void reconnect() {
        cache_.clear();
        in_tx_ = false;
        conn_.reset();
        conn_ = connect(opts_, true);
    }

    mysql_options opts_;
    std::unique_ptr<sql::Connection> conn_;
    std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> cache_;
    bool in_tx_ = false;
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
