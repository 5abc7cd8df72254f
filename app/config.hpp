#pragma once
/// Design: every setting has one name (Fleet's flag name where Fleet has one)
/// and three sources, strongest first: the command line, an environment
/// variable FLOTILLA_<NAME IN CAPS>, and a YAML file given with --config whose
/// keys are Fleet's (server.address → server_address). Parsing is CLI11's;
/// the YAML file is read by yaml-cpp through a CLI11 config formatter.

#include "app/instance.hpp"
#include "http/server.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace flotilla {

struct settings {
    std::string server_address = "127.0.0.1:8080";
    bool server_tls = false;
    std::string server_cert;
    std::string server_key;
    /// Where --server_tls without --server_cert/--server_key keeps its self-signed
    /// pair; empty: see self_signed_dir().
    std::string server_tls_dir;
    std::string mysql_address;
    std::string mysql_username = "fleet";
    std::string mysql_password;
    std::string mysql_database = "fleet";
    std::string sqlite_path = "./flotilla.db";
    bool logging_debug = false;
    bool logging_json = false;
    /// Check-in intervals, in seconds (flags take 1h, 30m, 10s or plain seconds).
    std::int64_t osquery_detail_update_interval = 3600;
    std::int64_t osquery_label_update_interval = 3600;
    std::int64_t osquery_policy_update_interval = 3600;
    /// A live query with no subscriber by then is cancelled (seconds).
    std::int64_t live_query_subscribe_timeout = 60;
    std::string osquery_result_log_file = "/tmp/osquery_result";
    std::string osquery_status_log_file = "/tmp/osquery_status";

    /// True when --server_tls is on without a certificate: one is made (app/self_signed.hpp).
    bool self_signed() const { return server_tls && server_cert.empty() && server_key.empty(); }
    /// The directory of the self-signed pair: --server_tls_dir, else beside the
    /// store (the SQLite file's directory; with MySQL, the working directory).
    std::string self_signed_dir() const;
    /// The listener settings derived from server_*.
    http::server_config listener() const;
    storage::mysql_options mysql() const;
    /// The instance options derived from osquery_*.
    app::instance_options instance() const;
};

enum class command { serve, prepare_db };

struct command_line {
    command cmd = command::serve;
    settings s;
    /// When set, exit with this code (after printing `output`) instead of running.
    std::optional<int> exit_code;
    std::string output;
};

/// Parses argv, the environment and the --config file, then validates. Bad or
/// conflicting settings give exit code 2 and one clear message in `output`.
command_line parse_command_line(int argc, const char* const* argv);

/// Splits "host:port" (IPv6 as "[::1]:8080"); nullopt when malformed.
std::optional<std::pair<std::string, unsigned short>> split_host_port(const std::string& address);

} // namespace flotilla
