#include "app/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace flotilla;

namespace {

command_line parse(std::vector<std::string> args) {
    args.insert(args.begin(), "flotilla");
    std::vector<const char*> argv;
    for (auto& a : args)
        argv.push_back(a.c_str());
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

/// Sets an environment variable for the scope of a test.
struct scoped_env {
    std::string name;
    scoped_env(std::string n, const std::string& v) : name(std::move(n)) {
        setenv(name.c_str(), v.c_str(), 1);
    }
    ~scoped_env() { unsetenv(name.c_str()); }
};

std::string write_file(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() / (name + std::to_string(getpid()));
    std::ofstream(path) << text;
    return path;
}

} // namespace

TEST(config, defaults_are_fleets) {
    auto cl = parse({"serve"});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    EXPECT_EQ(cl.cmd, command::serve);
    EXPECT_EQ(cl.s.server_address, "127.0.0.1:8080");
    EXPECT_FALSE(cl.s.server_tls);
    EXPECT_EQ(cl.s.sqlite_path, "./flotilla.db");
    EXPECT_EQ(cl.s.mysql_address, "");
    auto l = cl.s.listener();
    EXPECT_EQ(l.host, "127.0.0.1");
    EXPECT_EQ(l.port, 8080);
}

TEST(config, flags_are_read) {
    auto cl = parse({"serve", "--server_address", "0.0.0.0:9000", "--mysql_address", "db:3306",
                     "--mysql_username", "u", "--mysql_password", "p", "--mysql_database", "d",
                     "--logging_debug"});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    EXPECT_EQ(cl.s.server_address, "0.0.0.0:9000");
    EXPECT_EQ(cl.s.mysql().address, "db:3306");
    EXPECT_EQ(cl.s.mysql().username, "u");
    EXPECT_EQ(cl.s.mysql().password, "p");
    EXPECT_EQ(cl.s.mysql().database, "d");
    EXPECT_TRUE(cl.s.logging_debug);
}

TEST(config, environment_variables_are_read) {
    scoped_env a("FLOTILLA_SERVER_ADDRESS", "127.0.0.1:9100");
    scoped_env b("FLOTILLA_LOGGING_JSON", "true");
    auto cl = parse({"serve"});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    EXPECT_EQ(cl.s.server_address, "127.0.0.1:9100");
    EXPECT_TRUE(cl.s.logging_json);
}

TEST(config, yaml_file_uses_fleets_keys) {
    auto f = write_file("flotilla_cfg_", "server:\n  address: 127.0.0.1:9200\n"
                                         "mysql:\n  address: 127.0.0.1:3307\n  username: fleet2\n"
                                         "logging:\n  debug: true\n");
    auto cl = parse({"serve", "--config", f});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    EXPECT_EQ(cl.s.server_address, "127.0.0.1:9200");
    EXPECT_EQ(cl.s.mysql_address, "127.0.0.1:3307");
    EXPECT_EQ(cl.s.mysql_username, "fleet2");
    EXPECT_TRUE(cl.s.logging_debug);
}

TEST(config, server_tls_alone_asks_for_a_self_signed_pair) {
    auto cl = parse({"serve", "--server_tls", "--sqlite_path", "/srv/f/flotilla.db"});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    EXPECT_TRUE(cl.s.self_signed());
    EXPECT_EQ(cl.s.self_signed_dir(), "/srv/f");
    auto f = write_file("flotilla_cfg_tls_", "server:\n  tls: true\n  tls_dir: /etc/flotilla\n");
    auto from_file = parse({"serve", "--config", f});
    ASSERT_FALSE(from_file.exit_code) << from_file.output;
    EXPECT_TRUE(from_file.s.self_signed());
    EXPECT_EQ(from_file.s.self_signed_dir(), "/etc/flotilla");
    auto given =
        parse({"serve", "--server_tls", "--server_cert", "c.pem", "--server_key", "k.pem"});
    ASSERT_FALSE(given.exit_code) << given.output;
    EXPECT_FALSE(given.s.self_signed());
}

TEST(config, command_line_beats_environment_beats_file) {
    auto f = write_file("flotilla_cfg_prec_", "server:\n  address: 127.0.0.1:1111\n"
                                              "mysql:\n  username: from_file\n"
                                              "  database: file_db\n");
    scoped_env a("FLOTILLA_SERVER_ADDRESS", "127.0.0.1:2222");
    scoped_env b("FLOTILLA_MYSQL_USERNAME", "from_env");
    auto cl = parse({"serve", "--config", f, "--server_address", "127.0.0.1:3333"});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    EXPECT_EQ(cl.s.server_address, "127.0.0.1:3333");
    EXPECT_EQ(cl.s.mysql_username, "from_env");
    EXPECT_EQ(cl.s.mysql_database, "file_db");
}

TEST(config, bad_settings_exit_2_with_one_message) {
    const std::vector<std::vector<std::string>> bad = {
        {"serve", "--server_address", "nonsense"},
        {"serve", "--server_address", "127.0.0.1:99999"},
        {"serve", "--server_tls", "--server_cert", "c.pem"},
        {"serve", "--server_tls", "--server_key", "k.pem"},
        {"serve", "--server_cert", "c.pem"},
        {"serve", "--server_tls_dir", "/tmp"},
        {"serve", "--server_tls", "--server_cert", "c.pem", "--server_key", "k.pem",
         "--server_tls_dir", "/tmp"},
        {"serve", "--mysql_address", "db:3306", "--sqlite_path", "x.db"},
        {"serve", "--no_such_flag"},
        {"prepare", "db"},
        {"serve", "--sqlite_path", ""},
        {},
    };
    for (const auto& args : bad) {
        auto cl = parse(args);
        ASSERT_TRUE(cl.exit_code) << ::testing::PrintToString(args);
        EXPECT_EQ(*cl.exit_code, 2) << ::testing::PrintToString(args);
        EXPECT_TRUE(cl.output.starts_with("flotilla: ")) << cl.output;
    }
}

TEST(config, bad_yaml_files_exit_2) {
    for (const std::string text :
         {"server: [unclosed", "- a\n- b\n", "server:\n  nope: 1\n", "server:\n  address: [1, 2]\n",
          // Non-scalar keys threw YAML::BadConversion out of parse_command_line
          // (std::terminate); reproduced with tests/fuzz/fuzz_config.
          "[a]: 1\n", "server:\n  [a]: 1\n", "{a: 1}: x\n"}) {
        auto f = write_file("flotilla_bad_", text);
        auto cl = parse({"serve", "--config", f});
        ASSERT_TRUE(cl.exit_code) << text;
        EXPECT_EQ(*cl.exit_code, 2) << text;
    }
    auto cl = parse({"serve", "--config", "/nonexistent/flotilla.yml"});
    ASSERT_TRUE(cl.exit_code);
    EXPECT_EQ(*cl.exit_code, 2);
}

TEST(config, prepare_db_with_mysql_is_accepted) {
    auto cl = parse({"prepare", "db", "--mysql_address", "/run/mysqld/mysqld.sock"});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    EXPECT_EQ(cl.cmd, command::prepare_db);
}

TEST(config, check_in_intervals_and_log_files_use_fleets_flags) {
    auto cl = parse({"serve", "--osquery_detail_update_interval", "30m",
                     "--osquery_label_update_interval", "2h", "--osquery_policy_update_interval",
                     "45", "--osquery_result_log_file", "/var/log/r.log"});
    ASSERT_FALSE(cl.exit_code) << cl.output;
    auto io = cl.s.instance();
    EXPECT_EQ(io.checkin.detail_interval, std::chrono::seconds(1800));
    EXPECT_EQ(io.checkin.label_interval, std::chrono::seconds(7200));
    EXPECT_EQ(io.checkin.policy_interval, std::chrono::seconds(45));
    EXPECT_EQ(io.logs.result_path, "/var/log/r.log");
    EXPECT_EQ(io.logs.status_path, "/tmp/osquery_status");
    EXPECT_EQ(parse({"serve"}).s.instance().checkin.detail_interval, std::chrono::seconds(3600));
    for (const char* bad : {"5x", "0", "-1h"}) {
        auto b = parse({"serve", "--osquery_detail_update_interval", bad});
        ASSERT_TRUE(b.exit_code) << bad;
        EXPECT_EQ(*b.exit_code, 2) << bad;
    }
}

TEST(config, help_exits_0) {
    auto cl = parse({"--help"});
    ASSERT_TRUE(cl.exit_code);
    EXPECT_EQ(*cl.exit_code, 0);
    EXPECT_NE(cl.output.find("--server_address"), std::string::npos);
}

TEST(config, split_host_port_handles_ipv6) {
    auto hp = split_host_port("[::1]:8080");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->first, "::1");
    EXPECT_EQ(hp->second, 8080);
    EXPECT_FALSE(split_host_port(":80"));
    EXPECT_FALSE(split_host_port("host:"));
    EXPECT_FALSE(split_host_port("host:8x"));
}
