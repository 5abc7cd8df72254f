#include "tests/support/backends.hpp"

#include "storage/mysql/mysql_admin.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <unistd.h>

namespace flotilla::testing {

std::string backend_name(backend b) {
    return b == backend::sqlite ? "sqlite" : "mysql";
}

void PrintTo(backend b, std::ostream* os) {
    *os << backend_name(b);
}

std::vector<backend> all_backends() {
    return {backend::sqlite, backend::mysql};
}

storage::mysql_options test_mysql_server() {
    const char* address = std::getenv("FLOTILLA_TEST_MYSQL_ADDRESS");
    if (!address || !*address) {
        ADD_FAILURE() << "FLOTILLA_TEST_MYSQL_ADDRESS is not set: run the MariaDB tests through "
                         "scripts/test.sh, which starts a throwaway MariaDB";
        storage::mysql_options none;
        none.address.clear();
        return none;
    }
    storage::mysql_options o;
    o.address = address;
    const char* user = std::getenv("FLOTILLA_TEST_MYSQL_USERNAME");
    const char* password = std::getenv("FLOTILLA_TEST_MYSQL_PASSWORD");
    o.username = user ? user : "root";
    o.password = password ? password : "";
    return o;
}

namespace {

std::string unique_suffix() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(rd() % 100000);
}

} // namespace

test_database::test_database(backend b) : kind_(b) {
    if (b == backend::sqlite) {
        dir_ = std::filesystem::temp_directory_path() / ("flotilla_test_" + unique_suffix());
        std::filesystem::create_directories(dir_);
        sqlite_path_ = dir_ + "/flotilla.db";
        return;
    }
    mysql_ = test_mysql_server();
    mysql_.database = "flotilla_test_" + unique_suffix();
    if (mysql_.address.empty())
        return;
    auto created = storage::mysql_admin_execute(mysql_, "CREATE DATABASE " + mysql_.database +
                                                            " CHARACTER SET utf8mb4");
    if (!created)
        ADD_FAILURE() << "cannot create the test database: " << created.err().message;
    auto migrated = storage::open_mysql_store(mysql_, storage::migrate_mode::apply);
    if (!migrated)
        ADD_FAILURE() << "cannot migrate the test database: " << migrated.err().message;
}

test_database::~test_database() {
    if (kind_ == backend::sqlite) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    } else if (!mysql_.address.empty()) {
        (void)storage::mysql_admin_execute(mysql_, "DROP DATABASE IF EXISTS " + mysql_.database);
    }
}

std::unique_ptr<storage::store> test_database::open() {
    auto st = kind_ == backend::sqlite
                  ? storage::open_sqlite_store(sqlite_path_)
                  : storage::open_mysql_store(mysql_, storage::migrate_mode::require_current);
    if (!st) {
        ADD_FAILURE() << "cannot open the " << backend_name(kind_)
                      << " test store: " << st.err().message;
        return nullptr;
    }
    return std::move(*st);
}

} // namespace flotilla::testing
