#pragma once
/// A private MariaDB server for tests that kill it: a fresh datadir under /tmp
/// and a unix socket (as scripts/mariadb.sh does), run as a child process that
/// a test can `kill -9` and start again on the same data.

#include "storage/store.hpp"
#include "tests/support/process.hpp"

#include <memory>
#include <string>

namespace flotilla::testing {

class mariadb_server {
public:
    /// Initialises a datadir and starts the server; throws when it cannot.
    mariadb_server();
    /// Kills the server and removes the datadir.
    ~mariadb_server();
    mariadb_server(const mariadb_server&) = delete;
    mariadb_server& operator=(const mariadb_server&) = delete;

    /// Starts the server on the datadir and waits until it answers (30 s deadline).
    void start();
    /// SIGKILL, then waits until the process is gone.
    void kill();
    bool running() const { return proc_ != nullptr; }

    /// Root over the unix socket, with `database` selected.
    storage::mysql_options options(const std::string& database = "") const;
    /// Creates `name` and applies the migrations to it.
    void create_database(const std::string& name);
    const std::string& dir() const { return dir_; }

private:
    std::string dir_;
    std::unique_ptr<child_process> proc_;
};

} // namespace flotilla::testing
