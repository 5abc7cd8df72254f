#pragma once
/// Administrative statements outside any database (CREATE/DROP DATABASE), for
/// `flotilla prepare db` and the test harness.

#include "storage/store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace flotilla::storage {

/// Runs one statement on a connection with no default database.
expected<void> mysql_admin_execute(const mysql_options& opts, const std::string& sql);

/// The ids of the server connections using `database` (for tests that kill them).
expected<std::vector<std::int64_t>> mysql_connection_ids_for_test(const mysql_options& opts,
                                                                  const std::string& database);

} // namespace flotilla::storage
