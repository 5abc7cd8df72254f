#include "storage/sql_batch.hpp"

#include <iterator>
#include <unordered_set>

namespace flotilla::storage::batch {

namespace {

std::size_t value_bytes(const sql_value& v) {
    if (const auto* s = std::get_if<std::string>(&v))
        return s->size() + 8;
    return 8;
}

/// Splits rows of the given sizes (in bytes) into chunks (see the header).
std::vector<std::pair<std::size_t, std::size_t>> plan(const std::vector<std::size_t>& bytes,
                                                      std::size_t max) {
    std::vector<std::size_t> prefix(bytes.size() + 1, 0);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        prefix[i + 1] = prefix[i] + bytes[i];
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t from = 0; from < bytes.size();) {
        std::size_t n = max;
        while (n > bytes.size() - from)
            n /= 2;
        while (n > 1 && prefix[from + n] - prefix[from] > max_bytes)
            n /= 2;
        out.emplace_back(from, from + n);
        from += n;
    }
    return out;
}

std::vector<std::pair<std::size_t, std::size_t>> chunks(const std::vector<row>& rows,
                                                        std::size_t max) {
    std::vector<std::size_t> bytes;
    bytes.reserve(rows.size());
    for (const auto& r : rows) {
        std::size_t b = 0;
        for (const auto& v : r)
            b += value_bytes(v);
        bytes.push_back(b);
    }
    return plan(bytes, max);
}

/// Runs `before + "?, ?, ..." + after` for each chunk of `values`.
template <class Fn>
void for_in_chunks(db& d, std::string_view before, std::string_view after,
                   const std::vector<sql_value>& values, Fn&& fn) {
    std::vector<std::size_t> bytes;
    bytes.reserve(values.size());
    for (const auto& v : values)
        bytes.push_back(value_bytes(v));
    for (const auto& [from, to] : plan(bytes, max_rows(d.dialect()))) {
        std::string sql(before);
        sql += repeat("?", to - from);
        sql += after;
        fn(sql, std::vector<sql_value>(values.begin() + static_cast<std::ptrdiff_t>(from),
                                       values.begin() + static_cast<std::ptrdiff_t>(to)));
    }
}

} // namespace

std::string repeat(std::string_view group, std::size_t count, std::string_view sep) {
    std::string out;
    out.reserve(count * (group.size() + sep.size()));
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0)
            out += sep;
        out += group;
    }
    return out;
}

std::vector<std::pair<std::size_t, std::size_t>> chunks_of(sql_dialect d,
                                                           const std::vector<row>& rows) {
    return chunks(rows, max_rows(d));
}

std::size_t max_rows(sql_dialect d) {
    return d == sql_dialect::mysql ? 256 : 32;
}

void insert_rows(db& d, std::string_view before, std::string_view group, std::string_view after,
                 const std::vector<row>& rows) {
    for (const auto& [from, to] : chunks(rows, max_rows(d.dialect()))) {
        std::string sql(before);
        sql += repeat(group, to - from);
        sql += after;
        std::vector<sql_value> params;
        for (std::size_t i = from; i < to; ++i)
            params.insert(params.end(), rows[i].begin(), rows[i].end());
        d.execute(sql, params);
    }
}

std::vector<sql_row> select_in(db& d, std::string_view before, std::string_view after,
                               const std::vector<sql_value>& values) {
    std::vector<sql_row> out;
    for_in_chunks(d, before, after, values,
                  [&](const std::string& sql, const std::vector<sql_value>& params) {
                      auto rows = d.query(sql, params);
                      out.insert(out.end(), std::make_move_iterator(rows.begin()),
                                 std::make_move_iterator(rows.end()));
                  });
    return out;
}

void execute_in(db& d, std::string_view before, std::string_view after,
                const std::vector<sql_value>& values) {
    for_in_chunks(d, before, after, values,
                  [&](const std::string& sql, const std::vector<sql_value>& params) {
                      d.execute(sql, params);
                  });
}

std::string name_key(sql_dialect d, std::string_view name) {
    if (d == sql_dialect::mysql) {
        const auto end = name.find_last_not_of(' ');
        name = end == std::string_view::npos ? std::string_view{} : name.substr(0, end + 1);
    }
    return std::string(name);
}

std::unordered_map<std::string, std::int64_t> ids_by_name(db& d, std::string_view table,
                                                          const std::vector<std::string>& names) {
    std::unordered_map<std::string, std::int64_t> out;
    std::unordered_set<std::string> seen;
    std::vector<sql_value> values;
    for (const auto& n : names)
        if (seen.insert(name_key(d.dialect(), n)).second)
            values.emplace_back(n);
    const std::string before = "SELECT id, name FROM " + std::string(table) + " WHERE name IN (";
    for (const auto& r : select_in(d, before, ")", values))
        out.emplace(name_key(d.dialect(), r.str(1)), r.i64(0));
    return out;
}

void update_rows(db& d, std::string_view table, std::initializer_list<std::string_view> set,
                 const std::vector<row>& rows) {
    if (d.dialect() == sql_dialect::sqlite) {
        std::string sql = "UPDATE " + std::string(table) + " SET ";
        bool first = true;
        for (auto c : set) {
            sql += first ? "" : ", ";
            first = false;
            sql += c;
            sql += " = ?";
        }
        sql += " WHERE id = ?";
        std::vector<sql_value> params;
        for (const auto& r : rows) {
            params.assign(r.begin() + 3, r.end());
            params.push_back(r.front());
            d.execute(sql, params);
        }
        return;
    }
    std::string before = "INSERT INTO " + std::string(table) + " (id, name, created_at";
    std::string group = "(?, ?, ?";
    std::string after = " ON DUPLICATE KEY UPDATE ";
    bool first = true;
    for (auto c : set) {
        before += ", ";
        before += c;
        group += ", ?";
        after += first ? "" : ", ";
        first = false;
        after += c;
        after += " = VALUES(";
        after += c;
        after += ")";
    }
    before += ") VALUES ";
    group += ")";
    insert_rows(d, before, group, after, rows);
}

} // namespace flotilla::storage::batch
