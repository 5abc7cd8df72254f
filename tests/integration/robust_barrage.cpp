#include "tests/integration/robust_barrage.hpp"

#include "storage/mysql/mysql_admin.hpp"
#include "tests/support/agent.hpp"

#include <cstdio>

#include <charconv>
#include <filesystem>
#include <set>
#include <unistd.h>

namespace flotilla::testing::robust {

namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

std::string fresh_dir() {
    static int n = 0;
    auto d = std::filesystem::temp_directory_path() /
             ("flotilla_robust_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    std::filesystem::create_directories(d);
    return d;
}

/// Why `r` is not the JSON error envelope of its family, or "" when it is.
std::string envelope_fault(const http_reply& r, family fam) {
    boost::system::error_code ec;
    auto v = bj::parse(r.body, ec);
    if (ec || !v.is_object())
        return "the body is not a JSON object";
    const auto& o = v.as_object();
    if (fam == family::agent && r.status == 401 && o.contains("error")) {
        const auto* flag = o.if_contains("node_invalid");
        if (!o.at("error").is_string() || !flag || *flag != true)
            return "not {\"error\": string, \"node_invalid\": true}";
        return "";
    }
    const auto* message = o.if_contains("message");
    const auto* errors = o.if_contains("errors");
    if (!message || !message->is_string())
        return "no string \"message\"";
    if (!errors || !errors->is_array() || errors->as_array().empty())
        return "no non-empty \"errors\" array";
    for (const auto& e : errors->as_array()) {
        const auto* obj = e.if_object();
        if (!obj || !obj->contains("name") || !obj->at("name").is_string() ||
            !obj->contains("reason") || !obj->at("reason").is_string())
            return "an element of \"errors\" is not {\"name\": string, \"reason\": string}";
    }
    return "";
}

std::string printable(std::string_view s, std::size_t max = 160) {
    std::string out;
    for (char c : s.substr(0, max)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    if (s.size() > max)
        out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

bool open_before_setup(const std::string& pattern) {
    return is_setup(pattern) || pattern == "/healthz" || pattern.starts_with("/api/v1/osquery/") ||
           pattern.starts_with("/api/osquery/");
}

} // namespace

// --- the process ---------------------------------------------------------------------------

served_binary::served_binary(backend b) : kind_(b), dir_(fresh_dir()) {
    std::vector<std::string> args = {flotilla_binary(),           "serve",
                                     "--server_address",          "127.0.0.1:0",
                                     "--osquery_result_log_file", dir_ + "/result.log",
                                     "--osquery_status_log_file", dir_ + "/status.log"};
    if (b == backend::sqlite) {
        args.insert(args.end(), {"--sqlite_path", dir_ + "/f.db"});
    } else {
        auto server = test_mysql_server();
        database_ = "flotilla_robust_" + std::to_string(getpid());
        (void)storage::mysql_admin_execute(server, "DROP DATABASE IF EXISTS " + database_);
        if (!storage::mysql_admin_execute(server, "CREATE DATABASE " + database_))
            return;
        std::vector<std::string> flags = {
            "--mysql_address",  server.address,  "--mysql_username", server.username,
            "--mysql_password", server.password, "--mysql_database", database_};
        std::vector<std::string> prepare = {"prepare", "db"};
        prepare.insert(prepare.end(), flags.begin(), flags.end());
        if (run_flotilla(prepare).first != 0)
            return;
        args.insert(args.end(), flags.begin(), flags.end());
    }
    proc_ = std::make_unique<child_process>(args);
    if (proc_->wait_for_output("serving on", 15s))
        port_ = served_port(proc_->output());
}

served_binary::~served_binary() {
    proc_.reset(); // SIGKILL if still running
    if (kind_ == backend::mysql && !database_.empty())
        (void)storage::mysql_admin_execute(test_mysql_server(), "DROP DATABASE " + database_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

bool served_binary::running() {
    return proc_ && port_ != 0 && !proc_->wait_exit(0ms);
}

bool served_binary::exits_within(std::chrono::milliseconds deadline) {
    return !proc_ || port_ == 0 || proc_->wait_exit(deadline).has_value();
}

const std::string& served_binary::output() {
    static const std::string none = "(the server did not start)";
    if (!proc_)
        return none;
    // Reads what is there; the needle never appears.
    proc_->wait_for_output("\x01never\x01", 1ms);
    return proc_->output();
}

// --- sending and checking ------------------------------------------------------------------

barrage::barrage(served_binary& srv) : srv_(srv) {}
barrage::~barrage() = default;

void barrage::fail(std::string msg) {
    failures_.push_back(std::move(msg));
}

std::string barrage::report() const {
    std::string out =
        std::to_string(failures_.size()) + " failures of " + std::to_string(sent_) + " requests:\n";
    for (std::size_t i = 0; i < failures_.size() && i < 60; ++i)
        out += "  " + failures_[i] + "\n";
    return out;
}

bool barrage::alive() {
    return srv_.running();
}

std::optional<http_reply> barrage::send(const std::string& method, const std::string& target,
                                        const std::string& body, const header_list& headers) {
    if (fatal_)
        return std::nullopt;
    if (++sent_ % 500 == 0)
        (void)srv_.output(); // keep the child's output pipe drained
    try {
        if (!client_)
            client_ = std::make_unique<http_client>(srv_.port());
        auto r = client_->request(method, target, body, headers);
        if (!r.keep_alive)
            client_.reset();
        return r;
    } catch (const std::exception&) {
        client_.reset();
        if (srv_.exits_within(std::chrono::milliseconds(500)))
            fatal_ = true;
        return std::nullopt;
    }
}

void barrage::probe(const route_spec& r, mode m, const std::string& what, const std::string& target,
                    const std::string& body, expect e, const header_list& extra) {
    if (fatal_)
        return;
    const char* mode_name = m == mode::none              ? "no credentials"
                            : m == mode::bad_credentials ? "bad credentials"
                                                         : "valid credentials";
    const std::string where = r.method + " " + printable(target, 80) + " (" + mode_name + ", " +
                              printable(what, 60) + ")";
    auto reply = send(r.method, target, body, extra);
    if (!reply) {
        fail(where + ": no answer" + (fatal_ ? "; the server has exited" : ""));
        return;
    }
    const int s = reply->status;
    const std::string got = ": " + std::to_string(s) + " " + printable(reply->body);
    if (s >= 200 && s < 300) {
        if (!e.may_accept)
            fail(where + ": accepted" + got);
        else
            accepted_.emplace_back(r.method + " " + r.pattern, body);
        return;
    }
    if (s < 400 || s >= 500)
        return fail(where + ": not a 4xx" + got);
    if (e.exact && s != e.exact)
        return fail(where + ": want " + std::to_string(e.exact) + got);
    if (auto fault = envelope_fault(*reply, r.fam); !fault.empty())
        fail(where + ": " + fault + got);
}

context barrage::context_for(mode m, const state& st) {
    context c;
    c.tag = "t" + std::to_string(next_tag_++);
    c.node_key = m == mode::valid ? st.node_key : "rb-bogus-node-key";
    c.secret = m == mode::valid ? st.secret : "rb-bogus-secret";
    c.host_id = st.host_id;
    c.hostname = st.hostname.empty() ? "agent-1.local" : st.hostname;
    return c;
}

header_list barrage::auth(const route_spec& r, mode m, const state& st) const {
    if (r.fam != family::user || m == mode::none)
        return {};
    return {{"Authorization", "Bearer " + (m == mode::valid ? st.token : "rb-bogus-token")}};
}

namespace {

bool streams(const route_spec& r) {
    return r.pattern.ends_with("/xhr_streaming");
}
bool polls(const route_spec& r) {
    return r.pattern.ends_with("/xhr");
}
bool sockjs_send(const route_spec& r) {
    return r.pattern.ends_with("/xhr_send");
}

bool parses_as_array(const std::string& body) {
    boost::system::error_code ec;
    auto v = bj::parse(body, ec);
    return !ec && v.is_array();
}

} // namespace

void barrage::route_bodies(const route_spec& r, mode m, const state& st) {
    if (streams(r))
        return; // its body is ignored and a valid one answers with a stream
    const bool gated = setup_done_ ? is_setup(r.pattern) : !open_before_setup(r.pattern);
    const bool authorized =
        !gated && (m == mode::valid || r.fam == family::sockjs || r.fam == family::open);
    auto c = context_for(m, st);
    auto params = r.params;
    fresh_send_session(r, params);
    const std::string target = fill(r.pattern, params);
    const auto headers = auth(r, m, st);
    if (!r.example) {
        // The body is ignored: the route's normal answer, whatever it holds.
        for (const char* body : {"{\"specs\":[[[", "\xff\xfe", ""}) {
            if (polls(r)) // a new session each time: answered at once
                params[1].second = "rb-" + c.tag + "-" + std::to_string(next_tag_++);
            probe(r, m, "ignored body", fill(r.pattern, params), body,
                  {authorized, gated ? 404 : 0}, headers);
        }
        return;
    }
    for (const auto& v : malformed_bodies()) {
        const bool ok = authorized && sockjs_send(r) && parses_as_array(v.body);
        probe(r, m, v.what, target, v.body, {ok, gated ? 404 : (v.malformed ? 400 : 0)}, headers);
    }
    for (const auto& v : mutated_bodies(r.example(c), r.lenient))
        probe(r, m, v.what, target, v.body,
              {authorized && v.may_accept, gated ? 404 : (v.malformed ? 400 : 0)}, headers);
}

void barrage::route_targets(const route_spec& r, mode m, const state& st) {
    auto c = context_for(m, st);
    const std::string body = r.example ? bj::serialize(r.example(c)) : "";
    const auto headers = auth(r, m, st);
    auto params = r.params;
    fresh_send_session(r, params);
    if (polls(r) || streams(r))
        params[1].second = "rb-" + c.tag;
    // A literal segment badly encoded.
    probe(r, m, "a literal segment ends in %zz", fill(r.pattern, params) + "%zz", body,
          {false, 400}, headers);
    for (const auto& [name, value] : params) {
        for (const auto& bad : undecodable_params())
            probe(r, m, "{" + name + "} = " + bad, fill(r.pattern, params, name, bad), body,
                  {false, 400}, headers);
        if (streams(r))
            continue;
        for (const auto& odd : odd_params()) {
            // A poll with any well-formed session id opens that session (a new
            // one each time, so it answers at once); SockJS ignores {server}.
            auto ps = params;
            if (polls(r))
                ps[1].second = "rb-" + c.tag + "-" + std::to_string(next_tag_++);
            const bool any_id = polls(r) || (r.fam == family::sockjs && name == "server");
            // Polled session ids are unique (".." and "%2E%2E" are one id).
            const std::string value =
                polls(r) && name == "session" ? odd + "-" + std::to_string(next_tag_++) : odd;
            probe(r, m, "{" + name + "} = " + odd, fill(r.pattern, ps, name, value), body, {any_id},
                  headers);
        }
    }
}

void barrage::fresh_send_session(const route_spec& r, route_spec::param_list& params) {
    if (!setup_done_ || !sockjs_send(r))
        return;
    params[1].second = "rb-send-" + std::to_string(next_tag_++);
    const std::string poll = fill(r.pattern, params);
    auto open =
        send("POST", poll.substr(0, poll.size() - std::string_view("_send").size()), "", {});
    if (!open || open->status != 200 || open->body != "o\n") {
        fail("xhr_send: the SockJS session " + params[1].second + " did not open");
        fatal_ = true;
    }
}

void barrage::hostile_bodies_without_credentials() {
    const state none;
    for (const auto& r : all_routes())
        route_bodies(r, r.fam == family::agent ? mode::bad_credentials : mode::none, none);
}

} // namespace flotilla::testing::robust
