/// The real `flotilla` binary: flags, environment, YAML config, exit codes,
/// `prepare db`, and serve + SIGTERM.

#include "storage/mysql/mysql_admin.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;

namespace {

std::string temp_dir() {
    static int n = 0;
    auto d = std::filesystem::temp_directory_path() /
             ("flotilla_cli_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    std::filesystem::create_directories(d);
    return d;
}

const std::string setup_body = R"({"server_url":"https://fleet.example.com",
    "admin":{"name":"A","email":"a@example.com","password":"pw"}})";

} // namespace

TEST(cli, help_lists_the_flags_and_exits_0) {
    auto [code, out] = run_flotilla({"--help"});
    EXPECT_EQ(code, 0);
    for (const char* flag :
         {"--server_address", "--server_tls", "--server_cert", "--server_key", "--server_tls_dir",
          "--mysql_address", "--mysql_username", "--mysql_password", "--mysql_database",
          "--sqlite_path", "--logging_debug", "--logging_json", "--config"})
        EXPECT_NE(out.find(flag), std::string::npos) << flag;
}

TEST(cli, bad_settings_exit_2_with_one_line) {
    auto [code, out] = run_flotilla({"serve", "--server_address", "nowhere"});
    EXPECT_EQ(code, 2);
    EXPECT_EQ(out, "flotilla: --server_address 'nowhere' is not host:port\n");
    auto [code2, out2] = run_flotilla(
        {"serve"}, {{"FLOTILLA_SERVER_TLS", "true"}, {"FLOTILLA_SERVER_KEY", "/tmp/k.pem"}});
    EXPECT_EQ(code2, 2);
    EXPECT_EQ(out2, "flotilla: --server_tls needs both --server_cert and --server_key (or "
                    "neither, for a self-signed certificate)\n");
}

TEST(cli, serve_runs_setup_and_login_on_sqlite_and_stops_on_sigterm) {
    const auto dir = temp_dir();
    child_process p({flotilla_binary(), "serve", "--server_address", "127.0.0.1:0", "--sqlite_path",
                     dir + "/f.db"});
    ASSERT_TRUE(p.wait_for_output("then log in", 10s)) << p.output();
    EXPECT_NE(p.output().find("store: sqlite " + dir + "/f.db"), std::string::npos);
    EXPECT_NE(p.output().find("/api/v1/setup"), std::string::npos);
    const auto port = served_port(p.output());
    ASSERT_NE(port, 0) << p.output();

    EXPECT_EQ(http_once(port, "POST", "/api/v1/setup", setup_body).status, 200);
    auto login = http_once(port, "POST", "/api/v1/fleet/login",
                           R"({"email":"a@example.com","password":"pw"})");
    EXPECT_EQ(login.status, 200) << login.body;

    p.signal(SIGTERM);
    auto code = p.wait_exit(10s);
    ASSERT_TRUE(code) << p.output();
    EXPECT_EQ(*code, 0) << p.output();
    EXPECT_TRUE(std::filesystem::exists(dir + "/f.db"));

    // Restarted on the same file: set up already, so no setup hint and setup is 404.
    child_process again({flotilla_binary(), "serve", "--server_address", "127.0.0.1:0",
                         "--sqlite_path", dir + "/f.db"});
    ASSERT_TRUE(again.wait_for_output("serving on", 10s)) << again.output();
    const auto port2 = served_port(again.output());
    EXPECT_EQ(http_once(port2, "POST", "/api/v1/setup", setup_body).status, 404);
    EXPECT_EQ(again.output().find("No user exists yet"), std::string::npos);
    again.signal(SIGINT);
    EXPECT_EQ(again.wait_exit(10s), 0);
    std::filesystem::remove_all(dir);
}

TEST(cli, settings_come_from_environment_and_yaml) {
    const auto dir = temp_dir();
    std::ofstream(dir + "/flotilla.yml") << "server:\n  address: 127.0.0.1:0\n"
                                         << "logging:\n  json: true\n  debug: true\n";
    child_process p({flotilla_binary(), "serve", "--config", dir + "/flotilla.yml"},
                    {{"FLOTILLA_SQLITE_PATH", dir + "/env.db"}});
    ASSERT_TRUE(p.wait_for_output("then log in", 10s)) << p.output();
    EXPECT_NE(p.output().find("store: sqlite " + dir + "/env.db"), std::string::npos) << p.output();
    const auto port = served_port(p.output());
    ASSERT_NE(port, 0);
    EXPECT_EQ(http_once(port, "GET", "/api/v1/fleet/me").status, 404);
    // --logging_debug logs each request as one JSON line (method, path, status, duration).
    ASSERT_TRUE(p.wait_for_output(R"(GET /api/v1/fleet/me 404 )", 5s)) << p.output();
    EXPECT_NE(p.output().find(R"({"ts":")"), std::string::npos) << p.output();
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(10s), 0);
    std::filesystem::remove_all(dir);
}

TEST(cli, serve_refuses_an_unprepared_mysql_until_prepare_db) {
    auto server = test_mysql_server();
    ASSERT_FALSE(server.address.empty());
    const std::string database = "flotilla_cli_" + std::to_string(getpid());
    ASSERT_TRUE(storage::mysql_admin_execute(server, "CREATE DATABASE " + database));
    const std::vector<std::string> mysql_flags = {
        "--mysql_address",  server.address,  "--mysql_username", server.username,
        "--mysql_password", server.password, "--mysql_database", database};

    std::vector<std::string> serve = {"serve", "--server_address", "127.0.0.1:0"};
    serve.insert(serve.end(), mysql_flags.begin(), mysql_flags.end());
    auto [code, out] = run_flotilla(serve);
    EXPECT_EQ(code, 1);
    EXPECT_NE(out.find("run `flotilla prepare db` first"), std::string::npos) << out;

    std::vector<std::string> prepare = {"prepare", "db"};
    prepare.insert(prepare.end(), mysql_flags.begin(), mysql_flags.end());
    auto [pcode, pout] = run_flotilla(prepare);
    EXPECT_EQ(pcode, 0) << pout;
    EXPECT_NE(pout.find("Migrations completed"), std::string::npos) << pout;
    auto [pcode2, pout2] = run_flotilla(prepare); // idempotent
    EXPECT_EQ(pcode2, 0) << pout2;

    serve.insert(serve.begin(), flotilla_binary());
    child_process p(serve);
    ASSERT_TRUE(p.wait_for_output("then log in", 10s)) << p.output();
    EXPECT_NE(p.output().find("store: mysql"), std::string::npos);
    const auto port = served_port(p.output());
    EXPECT_EQ(http_once(port, "POST", "/api/v1/setup", setup_body).status, 200);
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(10s), 0);
    (void)storage::mysql_admin_execute(server, "DROP DATABASE " + database);
}

TEST(cli, prepare_db_against_no_server_fails_clearly) {
    auto [code, out] = run_flotilla({"prepare", "db", "--mysql_address", "/nonexistent/my.sock"});
    EXPECT_EQ(code, 1);
    EXPECT_NE(out.find("cannot connect to MySQL"), std::string::npos) << out;
}
