#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>
#include <yaml-cpp/yaml.h>

namespace flotilla {

http::server_config settings::listener() const {
    http::server_config c;
    auto hp = split_host_port(server_address);
    c.host = hp->first;
    c.port = hp->second;
    c.tls = server_tls;
    c.cert_file = server_cert;
    c.key_file = server_key;
    c.io_threads = std::max(2u, std::thread::hardware_concurrency());
    return c;
}

std::string settings::self_signed_dir() const {
    if (!server_tls_dir.empty())
        return server_tls_dir;
    if (!mysql_address.empty())
        return ".";
    auto parent = std::filesystem::path(sqlite_path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

storage::mysql_options settings::mysql() const {
    return {mysql_address, mysql_username, mysql_password, mysql_database};
}

app::instance_options settings::instance() const {
    app::instance_options o;
    o.checkin.detail_interval = std::chrono::seconds(osquery_detail_update_interval);
    o.checkin.label_interval = std::chrono::seconds(osquery_label_update_interval);
    o.checkin.policy_interval = std::chrono::seconds(osquery_policy_update_interval);
    o.checkin.campaigns.subscribe_timeout = std::chrono::seconds(live_query_subscribe_timeout);
    o.logs.result_path = osquery_result_log_file;
    o.logs.status_path = osquery_status_log_file;
    return o;
}

std::optional<std::pair<std::string, unsigned short>> split_host_port(const std::string& address) {
    auto colon = address.rfind(':');
    if (colon == std::string::npos || colon + 1 == address.size())
        return std::nullopt;
    std::string host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        return std::nullopt;
    unsigned port = 0;
    const char* first = address.data() + colon + 1;
    const char* last = address.data() + address.size();
    auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec != std::errc() || ptr != last || port > 65535)
        return std::nullopt;
    return std::make_pair(host, static_cast<unsigned short>(port));
}

namespace {

std::string env_name(const std::string& flag) {
    std::string out = "FLOTILLA_";
    for (char c : flag)
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// Reads a Fleet-style YAML file (`server: {address: ...}`) as flat CLI11 items
/// (`server_address`).
class yaml_config : public CLI::Config {
public:
    std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }

    std::vector<CLI::ConfigItem> from_config(std::istream& in) const override {
        std::vector<CLI::ConfigItem> items;
        YAML::Node root;
        try {
            root = YAML::Load(in);
        } catch (const YAML::Exception& e) {
            throw CLI::ConversionError("config file is not valid YAML: " + std::string(e.what()));
        }
        if (root.IsNull())
            return items;
        if (!root.IsMap())
            throw CLI::ConversionError("config file must be a YAML mapping");
        try {
            for (const auto& section : root) {
                const auto name = key(section.first);
                if (section.second.IsMap()) {
                    for (const auto& kv : section.second)
                        add(items, name + "_" + key(kv.first), kv.second);
                } else {
                    add(items, name, section.second);
                }
            }
        } catch (const YAML::Exception& e) { // only CLI::ParseError is caught by our caller
            throw CLI::ConversionError("config file: " + std::string(e.what()));
        }
        return items;
    }

private:
    /// A key that is not a scalar (`[a]: 1`) would throw YAML::BadConversion,
    /// which is no CLI::ParseError and would end the process.
    static std::string key(const YAML::Node& k) {
        if (!k.IsScalar())
            throw CLI::ConversionError("config file keys must be scalars");
        return k.as<std::string>();
    }

    static void add(std::vector<CLI::ConfigItem>& items, const std::string& name,
                    const YAML::Node& value) {
        if (!value.IsScalar())
            throw CLI::ConversionError("config key '" + name + "' must be a scalar value");
        // CLI11 applies the file before the environment; the environment must win.
        if (std::getenv(env_name(name).c_str()))
            return;
        CLI::ConfigItem it;
        it.name = name;
        it.inputs = {value.as<std::string>()};
        items.push_back(std::move(it));
    }
};

} // namespace

command_line parse_command_line(int argc, const char* const* argv) {
    command_line out;
    settings& s = out.s;
    CLI::App app{"Flotilla: a fast, lean server for osquery fleets, speaking Fleet's API"};
    app.config_formatter(std::make_shared<yaml_config>());
    app.set_config("--config", "", "YAML configuration file (Fleet's keys, e.g. server.address)");
    app.allow_config_extras(CLI::config_extras_mode::error);
    app.require_subcommand(1);
    app.fallthrough();

    auto opt = [&](const std::string& name, auto& target, const std::string& help) {
        return app.add_option("--" + name, target, help)
            ->envname(env_name(name))
            ->capture_default_str();
    };
    auto flag = [&](const std::string& name, bool& target, const std::string& help) {
        return app.add_flag("--" + name, target, help)->envname(env_name(name));
    };
    opt("server_address", s.server_address, "Address to listen on (host:port)");
    flag("server_tls", s.server_tls,
         "Serve HTTPS (with --server_cert and --server_key, or without both: a self-signed "
         "certificate made once in --server_tls_dir)");
    opt("server_cert", s.server_cert, "TLS certificate chain (PEM)");
    opt("server_key", s.server_key, "TLS private key (PEM)");
    opt("server_tls_dir", s.server_tls_dir,
        "Directory of the self-signed flotilla-tls.crt/.key (default: the SQLite file's "
        "directory; with --mysql_address, the working directory)");
    auto* mysql_address = opt("mysql_address", s.mysql_address,
                              "MySQL/MariaDB host:port or socket path (default: the SQLite store)");
    opt("mysql_username", s.mysql_username, "MySQL user");
    opt("mysql_password", s.mysql_password, "MySQL password");
    opt("mysql_database", s.mysql_database, "MySQL database");
    auto* sqlite_path =
        opt("sqlite_path", s.sqlite_path, "SQLite file, used without --mysql_address");
    flag("logging_debug", s.logging_debug, "Log every request (debug level)");
    flag("logging_json", s.logging_json, "Log as JSON lines");
    const auto duration = CLI::AsNumberWithUnit(
        std::map<std::string, std::int64_t>{{"s", 1}, {"m", 60}, {"h", 3600}});
    for (auto [name, target] :
         {std::pair{"osquery_detail_update_interval", &s.osquery_detail_update_interval},
          std::pair{"osquery_label_update_interval", &s.osquery_label_update_interval},
          std::pair{"osquery_policy_update_interval", &s.osquery_policy_update_interval}})
        opt(name, *target, "How often hosts refresh these queries (1h, 30m, 10s)")
            ->transform(duration)
            ->check(CLI::PositiveNumber);
    opt("live_query_subscribe_timeout", s.live_query_subscribe_timeout,
        "Cancel a live query nobody subscribed to within this (60s)")
        ->transform(duration)
        ->check(CLI::PositiveNumber);
    opt("osquery_result_log_file", s.osquery_result_log_file, "osquery result logs (NDJSON)");
    opt("osquery_status_log_file", s.osquery_status_log_file, "osquery status logs (NDJSON)");

    auto* serve = app.add_subcommand("serve", "Run the server");
    auto* prepare = app.add_subcommand("prepare", "Prepare a store");
    auto* prepare_db = prepare->add_subcommand("db", "Apply the MySQL schema migrations");
    prepare->require_subcommand(1);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        out.output = app.help();
        out.exit_code = 0;
        return out;
    } catch (const CLI::CallForAllHelp& e) {
        out.output = app.help("", CLI::AppFormatMode::All);
        out.exit_code = 0;
        return out;
    } catch (const CLI::ParseError& e) {
        out.output = std::string("flotilla: ") + e.what() + "\nRun with --help for usage.";
        out.exit_code = 2;
        return out;
    }
    out.cmd = prepare_db->parsed() ? command::prepare_db : command::serve;
    (void)serve;

    auto fail = [&](std::string message) {
        out.output = "flotilla: " + std::move(message);
        out.exit_code = 2;
        return out;
    };
    if (!split_host_port(s.server_address))
        return fail("--server_address '" + s.server_address + "' is not host:port");
    if (s.server_tls && (s.server_cert.empty() != s.server_key.empty()))
        return fail("--server_tls needs both --server_cert and --server_key (or neither, for a "
                    "self-signed certificate)");
    if (!s.server_tls && (!s.server_cert.empty() || !s.server_key.empty()))
        return fail("--server_cert and --server_key are only used with --server_tls");
    if (!s.server_tls_dir.empty() && !s.self_signed())
        return fail("--server_tls_dir is only used with --server_tls without --server_cert and "
                    "--server_key");
    if (mysql_address->count() > 0 && sqlite_path->count() > 0)
        return fail("--mysql_address and --sqlite_path both given: choose one store");
    if (!s.mysql_address.empty() && !s.mysql_address.starts_with('/') &&
        !split_host_port(s.mysql_address))
        return fail("--mysql_address '" + s.mysql_address + "' is not host:port or a socket path");
    if (out.cmd == command::prepare_db && s.mysql_address.empty())
        return fail("`prepare db` migrates a MySQL store: give --mysql_address (SQLite is "
                    "migrated automatically by `serve`)");
    if (s.sqlite_path.empty())
        return fail("--sqlite_path must not be empty");
    return out;
}

} // namespace flotilla
