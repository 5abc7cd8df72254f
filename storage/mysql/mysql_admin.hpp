#pragma once
/// Administrative statements outside any database (CREATE/DROP DATABASE), for
/// `flotilla prepare db` and the test harness.

#include "storage/store.hpp"

#include <string>

namespace flotilla::storage {

/// Runs one statement on a connection with no default database.
expected<void> mysql_admin_execute(const mysql_options& opts, const std::string& sql);

} // namespace flotilla::storage
