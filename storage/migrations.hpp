#pragma once
/// Versioned schema migrations, written once with dialect placeholders
/// (${ID}, ${STR}, ${TEXT}, ${ENGINE}) and expanded per backend.

#include "storage/db.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace flotilla::storage {

struct migration {
    std::int64_t version;
    std::string description;
    std::vector<std::string> statements;
};

/// Every migration, in order.
const std::vector<migration>& all_migrations();

/// The newest version the code knows.
std::int64_t latest_schema_version();

/// The version the database is at (0 for an empty database).
std::int64_t current_schema_version(db& d);

/// Applies every pending migration, each in its own transaction where the
/// backend allows (MySQL commits DDL implicitly).
void apply_migrations(db& d, std::int64_t now_micros);

/// Expands the dialect placeholders in one statement.
std::string expand_sql(const std::string& sql, sql_dialect dialect);

} // namespace flotilla::storage
