/// flotilla: `serve` runs the server; `prepare db` migrates a MySQL store.

#include "app/config.hpp"
#include "app/instance.hpp"
#include "app/self_signed.hpp"
#include "model/secrets.hpp"

#include <csignal>
#include <iostream>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

namespace {

/// `%*`: the log message escaped for a JSON string.
class json_escaped_message : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        for (char c : msg.payload) {
            switch (c) {
            case '"':
                dest.append(std::string_view("\\\""));
                break;
            case '\\':
                dest.append(std::string_view("\\\\"));
                break;
            case '\n':
                dest.append(std::string_view("\\n"));
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    dest.append(std::string_view(buf));
                } else {
                    dest.push_back(c);
                }
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<json_escaped_message>();
    }
};

void init_logging(const flotilla::settings& s) {
    spdlog::set_level(s.logging_debug ? spdlog::level::debug : spdlog::level::info);
    if (s.logging_json) {
        auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        f->add_flag<json_escaped_message>('*').set_pattern(
            R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%*"})");
        spdlog::set_formatter(std::move(f));
    }
}

/// `curl_tls` is what curl needs to trust the server (--cacert for a self-signed one).
std::string setup_hint(const std::string& base, const std::string& curl_tls) {
    return "No user exists yet. Complete setup with:\n  curl" + curl_tls + " -X POST " + base +
           "/api/v1/setup -H 'Content-Type: application/json' -d "
           "'{\"server_url\":\"https://localhost:8080\",\"org_info\":{\"org_name\":\"Acme\"},"
           "\"admin\":{\"name\":\"Admin\",\"email\":\"admin@example.com\",\"password\":\"change-"
           "me\"}}'\n"
           "then log in with POST " +
           base + "/api/v1/fleet/login {\"email\",\"password\"}.";
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    auto cl = flotilla::parse_command_line(argc, argv);
    if (cl.exit_code) {
        (*cl.exit_code == 0 ? std::cout : std::cerr) << cl.output << "\n";
        return *cl.exit_code;
    }
    auto& s = cl.s;
    init_logging(s);
    if (!flotilla::init_secrets()) {
        spdlog::critical("libsodium failed to initialise");
        return 1;
    }
    using namespace flotilla::storage;

    if (cl.cmd == flotilla::command::prepare_db) {
        auto st = open_mysql_store(s.mysql(), migrate_mode::apply);
        if (!st) {
            std::cerr << "flotilla: " << st.err().message << "\n";
            return 1;
        }
        std::cout << "Migrations completed: MySQL database '" << s.mysql_database
                  << "' is at the latest schema.\n";
        return 0;
    }

    auto st = s.mysql_address.empty() ? open_sqlite_store(s.sqlite_path)
                                      : open_mysql_store(s.mysql(), migrate_mode::require_current);
    if (!st) {
        std::cerr << "flotilla: " << st.err().message << "\n";
        return 1;
    }
    std::shared_ptr<store> shared(std::move(*st));
    std::optional<flotilla::app::self_signed_files> self_signed;
    if (s.self_signed()) {
        auto made = flotilla::app::ensure_self_signed(s.self_signed_dir(), s.listener().host);
        if (!made) {
            std::cerr << "flotilla: " << made.err().message << "\n";
            return 2;
        }
        for (const auto& w : made->warnings)
            spdlog::warn("{}", w);
        s.server_cert = made->cert_file;
        s.server_key = made->key_file;
        self_signed = std::move(*made);
    }
    auto users = shared->count_users();
    const std::string backend = shared->backend_name();
    auto inst = flotilla::app::instance::start(s.listener(), shared, s.instance());
    if (!inst) {
        std::cerr << "flotilla: " << inst.err().message << "\n";
        return 1;
    }
    const auto listener = s.listener();
    const std::string base = std::string(s.server_tls ? "https://" : "http://") + listener.host +
                             ":" + std::to_string((*inst)->port());
    std::cout << "Flotilla is serving on " << base << " (store: " << backend
              << (backend == "sqlite" ? " " + s.sqlite_path : " " + s.mysql_address) << ")"
              << std::endl;
    if (self_signed)
        std::cout << flotilla::app::self_signed_hint(*self_signed, listener.host, (*inst)->port())
                  << std::endl;
    if (users && *users == 0)
        std::cout << setup_hint(base, self_signed ? " --cacert " + self_signed->cert_file : "")
                  << std::endl;
    (*inst)->handle_signals();
    (*inst)->run();
    inst->reset();
    spdlog::info("stopped");
    return 0;
}
