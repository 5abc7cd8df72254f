#pragma once
/// The SQL driver interface the shared store implementation is written against.
/// Drivers throw `db_error`; sql_store catches and translates it. Internal to
/// storage/ (and its tests).

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace flotilla::storage {

using sql_value = std::variant<std::nullptr_t, std::int64_t, std::string>;

/// One result row; integer columns read as int64, everything else as text.
struct sql_row {
    std::vector<sql_value> cols;

    bool is_null(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(cols.at(i)); }
    std::int64_t i64(std::size_t i) const;
    std::optional<std::int64_t> opt_i64(std::size_t i) const;
    std::string str(std::size_t i) const;
    bool flag(std::size_t i) const { return i64(i) != 0; }
    std::optional<bool> opt_flag(std::size_t i) const {
        return is_null(i) ? std::nullopt : std::optional<bool>(flag(i));
    }
    std::optional<std::string> opt_str(std::size_t i) const {
        return is_null(i) ? std::nullopt : std::optional<std::string>(str(i));
    }
};

/// Reads a scheduled query's optional columns (snapshot, removed, shard,
/// platform, version, denylist, in that order from `first`) into any struct
/// with those members.
template <class T> void read_schedule_options(const sql_row& r, std::size_t first, T& out) {
    out.snapshot = r.opt_flag(first);
    out.removed = r.opt_flag(first + 1);
    out.shard = r.opt_i64(first + 2);
    out.platform = r.opt_str(first + 3);
    out.version = r.opt_str(first + 4);
    out.denylist = r.opt_flag(first + 5);
}

/// A driver failure.
struct db_error : std::runtime_error {
    /// duplicate: a unique key is taken; connection: the server is unreachable or
    /// the connection was lost (the driver reconnects by itself); busy: the
    /// database is locked by another writer past the busy timeout; other: the rest.
    enum class kind { duplicate, connection, busy, other };
    db_error(kind k, int code, const std::string& what)
        : std::runtime_error(what), k(k), code(code) {}
    kind k;
    int code;
};

enum class sql_dialect { sqlite, mysql };

class db {
public:
    virtual ~db() = default;
    virtual sql_dialect dialect() const = 0;
    virtual std::vector<sql_row> query(std::string_view sql,
                                       const std::vector<sql_value>& params) = 0;
    /// Runs a statement; returns the number of rows affected.
    virtual std::int64_t execute(std::string_view sql, const std::vector<sql_value>& params) = 0;
    virtual std::int64_t last_insert_id() = 0;
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
};

} // namespace flotilla::storage
