#include "tests/support/mariadb_server.hpp"

#include "storage/mysql/mysql_admin.hpp"
#include "tests/support/deadline.hpp"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

namespace flotilla::testing {

namespace {

using namespace std::chrono_literals;

/// The program's full path: PATH first, then the sbin directories.
std::string program(const std::string& name) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::string p = path;
        for (std::size_t start = 0; start <= p.size();) {
            auto colon = p.find(':', start);
            if (colon == std::string::npos)
                colon = p.size();
            dirs.push_back(p.substr(start, colon - start));
            start = colon + 1;
        }
    }
    for (const char* d : {"/usr/sbin", "/usr/bin", "/sbin"})
        dirs.emplace_back(d);
    for (const auto& d : dirs)
        if (!d.empty() && access((d + "/" + name).c_str(), X_OK) == 0)
            return d + "/" + name;
    throw std::runtime_error(name + " is not installed");
}

std::string user_name() {
    const char* u = std::getenv("USER");
    return u && *u ? u : "root";
}

} // namespace

mariadb_server::mariadb_server() {
    static std::atomic<int> n{0};
    dir_ = "/tmp/flotilla_mdb_" + std::to_string(getpid()) + "_" + std::to_string(n++);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    child_process install({program("mariadb-install-db"), "--no-defaults",
                           "--datadir=" + dir_ + "/data", "--user=" + user_name(),
                           "--auth-root-authentication-method=normal", "--skip-test-db"});
    auto code = install.wait_exit(60s);
    if (!code || *code != 0)
        throw std::runtime_error("mariadb-install-db failed: " + install.output());
    start();
}

mariadb_server::~mariadb_server() {
    if (proc_)
        kill();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void mariadb_server::start() {
    if (proc_)
        throw std::runtime_error("mariadbd is running already");
    proc_ = std::make_unique<child_process>(std::vector<std::string>{
        program("mariadbd"), "--no-defaults", "--datadir=" + dir_ + "/data",
        "--socket=" + dir_ + "/mysqld.sock", "--skip-networking",
        "--pid-file=" + dir_ + "/mariadb.pid", "--user=" + user_name(),
        "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M", "--skip-name-resolve",
        "--max-connections=200", "--log-error=" + dir_ + "/error.log"});
    const auto opts = options();
    if (!wait_until([&] { return static_cast<bool>(storage::mysql_admin_execute(opts, "DO 1")); },
                    30s, 50ms))
        throw std::runtime_error("mariadbd did not answer within 30 s (see " + dir_ +
                                 "/error.log)");
}

void mariadb_server::kill() {
    if (!proc_)
        return;
    proc_->signal(SIGKILL);
    auto code = proc_->wait_exit(10s);
    proc_.reset(); // SIGKILLs and reaps it if it somehow survived
    if (!code)
        throw std::runtime_error("mariadbd did not die within 10 s of SIGKILL");
}

storage::mysql_options mariadb_server::options(const std::string& database) const {
    storage::mysql_options o;
    o.address = dir_ + "/mysqld.sock";
    o.username = "root";
    o.password = "";
    o.database = database;
    return o;
}

void mariadb_server::create_database(const std::string& name) {
    auto created = storage::mysql_admin_execute(options(), "CREATE DATABASE " + name +
                                                               " CHARACTER SET utf8mb4");
    if (!created)
        throw std::runtime_error("cannot create " + name + ": " + created.err().message);
    auto migrated = storage::open_mysql_store(options(name), storage::migrate_mode::apply);
    if (!migrated)
        throw std::runtime_error("cannot migrate " + name + ": " + migrated.err().message);
}

} // namespace flotilla::testing
