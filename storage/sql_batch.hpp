#pragma once
/// Multi-row statements for the spec applies: a few statements per apply
/// instead of one or two round trips per spec. Internal to storage/.
///
/// Chunks have power-of-two sizes up to max_rows (MySQL, 1,000 rows: 256, 256,
/// 256, 128, 64, 32, 8), so each statement's text comes in a few fixed sizes:
/// both drivers cache one prepared statement per text, and MySQL's count
/// against the server's max_prepared_stmt_count. A chunk is also halved while
/// its parameters pass max_bytes, to stay well under MySQL's
/// max_allowed_packet with large query texts. 256 rows of the widest statement
/// (11 columns) is 2,816 placeholders, far under MySQL's 65,535. SQLite has no
/// round trip to save and pays for preparing long statements (once per text
/// and connection), so its chunks stop at 32 rows.

#include "storage/db.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flotilla::storage::batch {

/// The most rows one statement carries: 256 on MySQL, 32 on SQLite.
std::size_t max_rows(sql_dialect d);
inline constexpr std::size_t max_bytes = std::size_t{1} << 20;

using row = std::vector<sql_value>;

/// `count` copies of `group` joined by `sep`.
std::string repeat(std::string_view group, std::size_t count, std::string_view sep = ", ");

/// The chunks [from, to) of `rows` that insert_rows writes one statement each,
/// for statements it cannot build (a CASE per chunk, an OR of pairs).
std::vector<std::pair<std::size_t, std::size_t>> chunks_of(sql_dialect d,
                                                           const std::vector<row>& rows);

/// Runs `before + "(g), (g), ..." + after` for each chunk of `rows`, each row
/// filling one `group` (which may hold constants besides its placeholders).
void insert_rows(db& d, std::string_view before, std::string_view group, std::string_view after,
                 const std::vector<row>& rows);

/// Runs the query `before + "?, ?, ..." + after` for each chunk of `values`
/// and returns the rows of all chunks, chunk after chunk: for `WHERE x IN (`
/// ... `)` reads.
std::vector<sql_row> select_in(db& d, std::string_view before, std::string_view after,
                               const std::vector<sql_value>& values);

/// Runs the statement `before + "?, ?, ..." + after` for each chunk of
/// `values`: for `DELETE ... WHERE x IN (` ... `)`.
void execute_in(db& d, std::string_view before, std::string_view after,
                const std::vector<sql_value>& values);

/// The key under which the dialect's name columns compare equal: MariaDB's
/// utf8mb4_bin is a PAD SPACE collation (trailing spaces do not count), SQLite
/// compares bytes.
std::string name_key(sql_dialect d, std::string_view name);

/// name_key → id of the rows of `table` whose name is one of `names`.
std::unordered_map<std::string, std::int64_t> ids_by_name(db& d, std::string_view table,
                                                          const std::vector<std::string>& names);

/// Overwrites the `set` columns of rows known to exist; each row is {id, name,
/// created_at, then the `set` values}. MySQL: multi-row `INSERT INTO t (id,
/// name, created_at, set...) ... ON DUPLICATE KEY UPDATE` of the `set` columns
/// only (name and created_at just satisfy the insert half, which never runs;
/// the id is given, so no AUTO_INCREMENT value is allocated and no id gap
/// left). SQLite, where a statement costs no round trip: one prepared `UPDATE
/// ... WHERE id = ?` per row, which is cheaper there than an upsert.
void update_rows(db& d, std::string_view table, std::initializer_list<std::string_view> set,
                 const std::vector<row>& rows);

} // namespace flotilla::storage::batch
