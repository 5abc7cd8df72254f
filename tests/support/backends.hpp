#pragma once
/// Storage backends for tests: a fresh SQLite file or a fresh MariaDB database
/// per test, on the server the test command provides
/// (FLOTILLA_TEST_MYSQL_ADDRESS, _USERNAME, _PASSWORD).

#include "storage/store.hpp"

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace flotilla::testing {

/// The backends every storage and integration test runs on.
enum class backend { sqlite, mysql };

std::string backend_name(backend b);

/// GoogleTest prints a backend by name.
void PrintTo(backend b, std::ostream* os);

/// Both backends, for INSTANTIATE_TEST_SUITE_P.
std::vector<backend> all_backends();

/// The MariaDB the test command started; fails the test when it is not set.
storage::mysql_options test_mysql_server();

/// One fresh, empty, migrated database; dropped (or deleted) on destruction.
class test_database {
public:
    explicit test_database(backend b);
    ~test_database();
    test_database(const test_database&) = delete;
    test_database& operator=(const test_database&) = delete;

    /// Opens a new connection to it (store), migrated. Aborts the test on failure.
    std::unique_ptr<storage::store> open();
    backend kind() const { return kind_; }
    /// For MySQL: the options naming this database.
    const storage::mysql_options& mysql() const { return mysql_; }
    /// For SQLite: the file.
    const std::string& sqlite_path() const { return sqlite_path_; }

private:
    backend kind_;
    std::string dir_;
    std::string sqlite_path_;
    storage::mysql_options mysql_;
};

/// GoogleTest's parameter name printer for backends.
struct backend_printer {
    std::string operator()(const auto& info) const { return backend_name(info.param); }
};

} // namespace flotilla::testing
