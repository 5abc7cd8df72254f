#include "tests/integration/robust_cases.hpp"

namespace flotilla::testing::robust {

namespace bj = boost::json;

namespace {

bj::value parse(const std::string& s) {
    return bj::parse(s);
}

std::vector<route_spec> spec_routes(const std::string& prefix) {
    std::vector<route_spec> out;
    auto packs = [](const context& c) {
        return parse(R"({"specs":[{"name":"rb-)" + c.tag +
                     R"(","description":"d","platform":"linux",
            "disabled":false,"targets":{"labels":["rb-base-label"],"teams":["rb-base-team"]},
            "queries":[{"query":"rb-base-q","name":"rb-base-q","description":"","interval":60,
            "snapshot":true,"removed":false,"shard":10,"platform":"linux","version":"5.0.0",
            "denylist":false}]}]})");
    };
    auto labels = [](const context& c) {
        return parse(R"({"specs":[{"name":"rb-)" + c.tag +
                     R"(","description":"d","query":"select 1","platform":"",
            "label_type":"regular","label_membership_type":"dynamic"},
            {"name":"rb-)" +
                     c.tag + R"(-m","label_membership_type":"manual","hosts":[")" + c.hostname +
                     R"("]}]})");
    };
    auto teams = [](const context& c) {
        return parse(R"({"specs":[{"name":"rb-)" + c.tag +
                     R"(","agent_options":{"config":{"options":{"distributed_interval":10}}},
            "secrets":[{"secret":"rb-team-)" +
                     c.tag + R"("}]}]})");
    };
    auto policies = [](const context& c) {
        return parse(R"({"specs":[{"name":"rb-)" + c.tag +
                     R"(","query":"select 1","description":"d",
            "resolution":"r","team":"","platform":"linux"}]})");
    };
    out.push_back({"GET", prefix + "/spec/packs"});
    out.push_back({"POST", prefix + "/spec/packs", family::user, packs});
    out.push_back({"GET", prefix + "/spec/packs/{name}", family::user, {}, {}, {{"name", "rb-p"}}});
    out.push_back({"GET", prefix + "/spec/labels"});
    // label_type takes 0 and 1 as well as its names.
    out.push_back(
        {"POST", prefix + "/spec/labels", family::user, labels, {"specs[].label_type#number"}});
    out.push_back(
        {"GET", prefix + "/spec/labels/{name}", family::user, {}, {}, {{"name", "rb-l"}}});
    // Agent options are any JSON the operator wants osquery to get.
    out.push_back({"POST", prefix + "/spec/teams", family::user, teams, {"specs[].agent_options"}});
    out.push_back({"POST", prefix + "/spec/policies", family::user, policies});
    out.push_back({"GET", prefix + "/global/policies"});
    return out;
}

/// The users routes. Those whose valid request would change the barrage's own
/// admin (its password, sessions or roles) are sent without credentials only.
std::vector<route_spec> user_routes(const std::string& fleet) {
    std::vector<route_spec> out;
    auto create = [](const context& c) {
        return parse(R"({"name":"rb","email":"rb-)" + c.tag +
                     R"(@example.com","password":"rb-pass-1!","global_role":"observer",
            "admin_forced_password_reset":false,"api_only":false,"sso_enabled":false,
            "position":"p","teams":null})");
    };
    auto modify = [](const context& c) {
        return parse(R"({"name":"rb-)" + c.tag + R"(","position":"p","global_role":"admin"})");
    };
    auto password = [](const context& c) {
        return parse(R"({"old_password":"wrong-)" + c.tag + R"(","new_password":"rb-new-1!"})");
    };
    auto reset = [](const context&) { return parse(R"({"require":false})"); };
    auto roles = [](const context&) {
        return parse(R"({"spec":{"roles":{"admin@example.com":{"global_role":"admin",
            "teams":null}}}})");
    };
    auto perform = [](const context& c) {
        return parse(R"({"new_password":"rb-)" + c.tag + R"(-1!"})");
    };
    const route_spec::param_list admin_id = {{"id", "1"}};
    // The team id may be any number (no team matches it: a 422).
    out.push_back({"POST", fleet + "/users/admin", family::user, create, {"teams"}});
    out.push_back({"POST",
                   fleet + "/users/roles/spec",
                   family::user,
                   roles,
                   {"spec.roles.admin@example.com.teams"}});
    out.push_back({"GET", fleet + "/users"});
    out.push_back({"GET", fleet + "/users/{id}", family::user, {}, {}, admin_id});
    out.push_back({"PATCH", fleet + "/users/{id}", family::user, modify, {}, admin_id, true});
    out.push_back({"DELETE", fleet + "/users/{id}", family::user, {}, {}, admin_id, true});
    out.push_back({"POST",
                   fleet + "/users/{id}/require_password_reset",
                   family::user,
                   reset,
                   {},
                   admin_id,
                   true});
    out.push_back({"GET", fleet + "/users/{id}/sessions", family::user, {}, {}, admin_id});
    out.push_back({"DELETE", fleet + "/users/{id}/sessions", family::user, {}, {}, admin_id, true});
    out.push_back({"POST", fleet + "/change_password", family::user, password});
    out.push_back({"POST", fleet + "/perform_required_password_reset", family::user, perform});
    return out;
}

std::vector<route_spec> label_routes(const std::string& fleet) {
    std::vector<route_spec> out;
    auto create = [](const context& c) {
        return parse(R"({"name":"rb-new-)" + c.tag +
                     R"(","query":"select 1","description":"d","platform":"linux"})");
    };
    auto modify = [](const context& c) {
        return parse(R"({"name":"rb-renamed-)" + c.tag + R"(","description":"d"})");
    };
    out.push_back({"GET", fleet + "/labels"});
    out.push_back({"POST", fleet + "/labels", family::user, create});
    out.push_back({"GET", fleet + "/labels/{id}", family::user, {}, {}, {{"id", "6"}}});
    // Label 6 is All Hosts, a builtin: renaming it is refused.
    out.push_back({"PATCH", fleet + "/labels/{id}", family::user, modify, {}, {{"id", "6"}}});
    out.push_back(
        {"DELETE", fleet + "/labels/{name}", family::user, {}, {}, {{"name", "rb-nothing"}}});
    out.push_back({"DELETE", fleet + "/labels/id/{id}", family::user, {}, {}, {{"id", "999999"}}});
    return out;
}

/// The saved query routes under one noun ("/queries" or current Fleet's
/// "/reports") and their spec routes. Valid requests name no stored query
/// (ids and names that match nothing), so only creations change the store.
std::vector<route_spec> query_routes(const std::string& prefix, const std::string& noun) {
    std::vector<route_spec> out;
    auto create = [](const context& c) {
        return parse(R"({"name":"rb-)" + c.tag + R"(","query":"select 1","description":"d",
            "observer_can_run":true})");
    };
    auto modify = [](const context& c) {
        return parse(R"({"name":"rb-)" + c.tag + R"(-renamed","query":"select 2",
            "description":"d2","observer_can_run":false})");
    };
    auto ids = [](const context&) { return parse(R"({"ids":[999999,999998]})"); };
    auto specs = [](const context& c) {
        return parse(R"({"specs":[{"name":"rb-)" + c.tag +
                     R"(","description":"d","query":"select 1","observer_can_run":true}]})");
    };
    const std::string spec_noun = "/spec" + noun;
    const std::string base = prefix + noun;
    out.push_back({"GET", prefix + spec_noun});
    out.push_back({"POST", prefix + spec_noun, family::user, specs});
    out.push_back(
        {"GET", prefix + spec_noun + "/{name}", family::user, {}, {}, {{"name", "rb-q"}}});
    out.push_back({"GET", base});
    out.push_back({"POST", base, family::user, create});
    out.push_back({"GET", base + "/{id}", family::user, {}, {}, {{"id", "1"}}});
    out.push_back({"PATCH", base + "/{id}", family::user, modify, {}, {{"id", "999999"}}});
    out.push_back({"DELETE", base + "/{name}", family::user, {}, {}, {{"name", "rb-nobody"}}});
    out.push_back({"DELETE", base + "/id/{id}", family::user, {}, {}, {{"id", "999999"}}});
    out.push_back({"POST", base + "/delete", family::user, ids});
    return out;
}

std::vector<route_spec> agent_routes(const std::string& prefix) {
    std::vector<route_spec> out;
    auto enroll = [](const context& c) {
        return parse(R"({"enroll_secret":")" + c.secret + R"(","host_identifier":"rb-)" + c.tag +
                     R"(","host_details":{"os_version":{"name":"Ubuntu","platform":"ubuntu",
            "major":"22"},"osquery_info":{"version":"5.10.2"},
            "system_info":{"hostname":"rb-)" +
                     c.tag + R"(","uuid":"rb-)" + c.tag + R"("}}})");
    };
    auto key_only = [](const context& c) { return bj::value{{"node_key", c.node_key}}; };
    auto write = [](const context& c) {
        return parse(R"({"node_key":")" + c.node_key + R"(","queries":{"rb_q":[{"a":"1","b":2}]},
            "statuses":{"rb_q":0},"messages":{"rb_q":""}})");
    };
    auto log = [](const context& c) {
        return parse(R"({"node_key":")" + c.node_key + R"(","log_type":"status",
            "data":[{"severity":"0","filename":"rb.cpp","line":"1","message":"rb"}]})");
    };
    // Host details and result rows take what osquery may send; a status may be
    // any integer (non-zero: failed); log entries are written as they come.
    out.push_back({"POST", prefix + "/enroll", family::agent, enroll, {"host_details"}});
    out.push_back({"POST", prefix + "/config", family::agent, key_only});
    out.push_back({"POST", prefix + "/distributed/read", family::agent, key_only});
    out.push_back({"POST",
                   prefix + "/distributed/write",
                   family::agent,
                   write,
                   {"queries", "messages", "statuses.rb_q#number"}});
    out.push_back({"POST", prefix + "/log", family::agent, log, {"data[]"}});
    return out;
}

} // namespace

std::vector<route_spec> all_routes() {
    std::vector<route_spec> out;
    auto setup = [](const context&) {
        // Two faults (plain http, an empty password), one per key: no variant of
        // this body can complete setup.
        return parse(R"({"server_url":"http://rb.example.com","org_info":{"org_name":"Acme",
            "org_logo_url":""},"admin":{"name":"A","email":"rb@example.com","password":""}})");
    };
    auto login = [](const context& c) {
        return bj::value{{"email", "admin@example.com"}, {"password", "wrong-" + c.tag}};
    };
    auto secrets = [](const context& c) {
        return parse(R"({"spec":{"secrets":[{"secret":"rb-)" + c.tag + R"("}]}})");
    };
    auto run = [](const context& c) {
        return parse(R"({"query":"select 1","query_id":null,"selected":{"hosts":[)" +
                     std::to_string(c.host_id) + R"(],"labels":[999999],"teams":[999999]}})");
    };
    auto run_by_names = [](const context& c) {
        return parse(R"({"query":"select 1","selected":{"hosts":[")" + c.hostname +
                     R"("],"labels":["All Hosts"]}})");
    };
    auto sockjs_send = [](const context&) {
        return parse(R"(["{\"type\":\"select_campaign\",\"data\":{\"campaign_id\":999999}}"])");
    };
    for (const std::string api : {"/api/v1", "/api/latest"}) {
        const std::string fleet = api + "/fleet";
        out.push_back({"POST", api + "/setup", family::user, setup});
        out.push_back({"POST", fleet + "/login", family::user, login});
        out.push_back({"POST", fleet + "/logout", family::user, {}, {}, {}, true});
        out.push_back({"GET", fleet + "/me"});
        out.push_back({"GET", fleet + "/status/live_query"});
        out.push_back({"GET", fleet + "/status/result_store"});
        for (auto& r : user_routes(fleet))
            out.push_back(std::move(r));
        for (auto& r : label_routes(fleet))
            out.push_back(std::move(r));
        for (auto& r : team_routes(fleet))
            out.push_back(std::move(r));
        out.push_back({"GET", fleet + "/activities"});
    }
    auto config = [](const context& c) {
        return parse(R"({"org_info":{"org_name":"rb-)" + c.tag +
                     R"("},"server_settings":{"live_query_disabled":false},
            "smtp_settings":{"port":25},"webhook_settings":{"interval":"12h"}})");
    };
    out.push_back({"GET", "/healthz", family::open});
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"}) {
        out.push_back({"GET", prefix + "/version"});
        out.push_back({"GET", prefix + "/sso", family::open});
        out.push_back({"GET", prefix + "/config"});
        out.push_back({"GET", prefix + "/hosts"});
        out.push_back({"GET", prefix + "/hosts/count"});
        out.push_back({"GET", prefix + "/host_summary"});
        out.push_back({"GET", prefix + "/hosts/{id}", family::user, {}, {}, {{"id", "1"}}});
        // A valid request deletes the barrage's own agent: only without credentials.
        out.push_back(
            {"DELETE", prefix + "/hosts/{id}", family::user, {}, {}, {{"id", "1"}}, true});
        out.push_back({"GET",
                       prefix + "/hosts/identifier/{identifier}",
                       family::user,
                       {},
                       {},
                       {{"identifier", "rb-nobody"}}});
        out.push_back({"GET", prefix + "/labels/{id}/hosts", family::user, {}, {}, {{"id", "6"}}});
        auto targets = [](const context& c) {
            return parse(R"({"query":"rb","query_id":null,"selected":{"hosts":[)" +
                         std::to_string(c.host_id) + R"(],"labels":[6],"teams":[]}})");
        };
        out.push_back({"POST", prefix + "/targets", family::user, targets});
        out.push_back({"POST", prefix + "/targets/count", family::user, targets});
        out.push_back({"PATCH", prefix + "/config", family::user, config});
    }
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"}) {
        for (auto& r : spec_routes(prefix))
            out.push_back(std::move(r));
        for (const std::string noun : {"/queries", "/reports"})
            for (auto& r : query_routes(prefix, noun))
                out.push_back(std::move(r));
    }
    for (const std::string prefix : {"/api/v1/osquery", "/api/osquery"})
        for (auto& r : agent_routes(prefix))
            out.push_back(std::move(r));
    // Label and team ids that match nothing only add no hosts to the targets.
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"})
        for (const std::string noun : {"/queries", "/reports"}) {
            out.push_back({"POST",
                           prefix + noun + "/run",
                           family::user,
                           run,
                           {"selected.labels[]#number", "selected.teams[]#number"}});
            out.push_back({"POST", prefix + noun + "/run_by_names", family::user, run_by_names});
            out.push_back(
                {"POST", prefix + noun + "/run_by_identifiers", family::user, run_by_names});
        }
    const std::vector<std::pair<std::string, std::string>> session = {{"server", "000"},
                                                                      {"session", "rb-poll"}};
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"}) {
        out.push_back(
            {"POST", prefix + "/results/{server}/{session}/xhr", family::sockjs, {}, {}, session});
        out.push_back({"POST",
                       prefix + "/results/{server}/{session}/xhr_streaming",
                       family::sockjs,
                       {},
                       {},
                       session});
        // Messages that are not strings are passed on as empty ones (the subscriber
        // answers them with an error frame).
        out.push_back({"POST",
                       prefix + "/results/{server}/{session}/xhr_send",
                       family::sockjs,
                       sockjs_send,
                       {"[]"},
                       {{"server", "000"}, {"session", "rb-send"}}});
        out.push_back({"GET", prefix + "/results/", family::sockjs});
        out.push_back({"GET", prefix + "/results/info", family::sockjs});
    }
    // Last: an accepted variant replaces the enroll secrets the agent routes use.
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"}) {
        out.push_back({"GET", prefix + "/spec/enroll_secret"});
        out.push_back({"POST", prefix + "/spec/enroll_secret", family::user, secrets});
    }
    return out;
}

namespace {

std::string deep(char open, char close, int depth) {
    return std::string(static_cast<std::size_t>(depth), open) +
           std::string(static_cast<std::size_t>(depth), close);
}

std::string deep_objects(int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i)
        s += R"({"a":)";
    s += "1";
    s += std::string(static_cast<std::size_t>(depth), '}');
    return s;
}

constexpr std::string_view placeholder = "\x01rb-mutation\x01";
const std::string quoted_placeholder = bj::serialize(bj::value(placeholder));

/// `text` with the serialized placeholder replaced by `raw`.
std::string substitute(std::string text, const std::string& raw) {
    auto at = text.find(quoted_placeholder);
    if (at != std::string::npos)
        text.replace(at, quoted_placeholder.size(), raw);
    return text;
}

/// `s` with NUL shown as \0 (for names of variants).
std::string printable_nul(std::string s) {
    for (auto at = s.find('\0'); at != std::string::npos; at = s.find('\0', at))
        s.replace(at, 1, "\\0");
    return s;
}

struct replacement {
    std::string raw;
    bj::kind kind;
};

const std::vector<replacement>& replacements() {
    static const std::vector<replacement> list = {
        {R"("rb-string")", bj::kind::string},
        {"0", bj::kind::int64},
        {"1e400", bj::kind::double_},
        {"99999999999999999999", bj::kind::double_},
        {"-1", bj::kind::int64},
        {"9223372036854775808", bj::kind::uint64},
        {"-9223372036854775809", bj::kind::double_},
        {"18446744073709551616", bj::kind::double_},
        {"1.5", bj::kind::double_},
        {"null", bj::kind::null},
        {R"([1,"a",{}])", bj::kind::array},
        {R"({"k":[]})", bj::kind::object},
        {"true", bj::kind::bool_},
        {deep('[', ']', 10000), bj::kind::array},
    };
    return list;
}

bool is_number(bj::kind k) {
    return k == bj::kind::int64 || k == bj::kind::uint64 || k == bj::kind::double_;
}

/// Same kind as the original and not a hostile number: not a mutation.
bool same_kind(bj::kind original, const replacement& r) {
    if (is_number(original) && is_number(r.kind))
        return r.raw == "0";
    if (original == bj::kind::array && r.kind == bj::kind::array)
        return r.raw.size() < 100; // the deep one still counts
    return original == r.kind;
}

bool lenient_for(const std::vector<std::string>& lenient, const std::string& path,
                 const replacement& r) {
    for (const auto& entry : lenient) {
        std::string prefix = entry;
        bool numbers_only = false;
        if (auto hash = entry.find('#'); hash != std::string::npos) {
            prefix = entry.substr(0, hash);
            numbers_only = true;
        }
        const bool under =
            path == prefix || path.starts_with(prefix + ".") || path.starts_with(prefix + "[]");
        if (under && (!numbers_only || is_number(r.kind)))
            return true;
    }
    return false;
}

struct mutator {
    const std::vector<std::string>& lenient;
    std::vector<variant> out;

    /// Every variant of the location `slot` (at `path`) inside `copy_root`, then
    /// those of its members; `slot` is restored before returning.

    void visit(bj::value& slot, const std::string& path, bj::value& copy_root) {
        const bj::value original = slot;
        for (const auto& r : replacements()) {
            if (same_kind(original.kind(), r))
                continue;
            slot = placeholder;
            const bool ok = r.kind == bj::kind::null || lenient_for(lenient, path, r);
            out.push_back({path + " = " + r.raw.substr(0, 30),
                           substitute(bj::serialize(copy_root), r.raw), ok, false});
        }
        if (original.is_string()) {
            slot = placeholder;
            out.push_back(
                {path + " = invalid UTF-8",
                 substitute(bj::serialize(copy_root), "\"rb\xff\xfe\xc0\xaf\xed\xa0\x80\""), false,
                 true});
            // Odd strings: a lone surrogate escape, and a NUL (named for the path,
            // so a secret one variant stores is not another's guess).
            const std::string with_nul =
                bj::serialize(bj::value("rb" + std::string(1, '\0') + path));
            // Long text: past VARCHAR(255) and past TEXT's 65,535 bytes.
            const std::string long_256 = "\"rb" + path + std::string(300, 'l') + "\"";
            const std::string long_64k = "\"rb" + path + std::string(70000, 'L') + "\"";
            for (const std::string& odd :
                 {std::string(R"("rb\ud800")"), with_nul, long_256, long_64k})
                out.push_back({path + " = " + printable_nul(odd),
                               substitute(bj::serialize(copy_root), odd), true, false});
        }
        slot = original;
        if (slot.is_object()) {
            auto& obj = slot.as_object();
            obj[placeholder] = 1;
            out.push_back({path + " gets an invalid UTF-8 key",
                           substitute(bj::serialize(copy_root), "\"\xc3\x28\xff\""), false, true});
            obj.erase(placeholder);
            std::vector<std::string> keys;
            for (const auto& kv : obj)
                keys.emplace_back(kv.key());
            for (const auto& k : keys)
                visit(obj[k], path.empty() ? k : path + "." + k, copy_root);
        } else if (slot.is_array() && !slot.as_array().empty()) {
            visit(slot.as_array()[0], path + "[]", copy_root);
        }
    }
};

} // namespace

std::vector<variant> malformed_bodies() {
    std::vector<variant> out = {
        {"empty body", "", false, true},
        {"truncated", R"({"specs":[{"name":"x")", false, true},
        {"trailing garbage", R"({"specs":[]}garbage)", false, true},
        {"two documents", R"({} {})", false, true},
        {"trailing comma", R"({"a":1,})", false, true},
        {"single quotes", R"({'a':1})", false, true},
        {"bad escape", R"({"a":"\u12"})", false, true},
        {"NaN", R"({"a":NaN})", false, true},
        {"lone NUL", std::string(1, '\0'), false, true},
        {"invalid UTF-8 outside strings", "\xff\xfe{}", false, true},
        {"invalid UTF-8 in a string", "{\"a\":\"\xc0\xaf\"}", false, true},
        {"not JSON", "hello", false, true},
        {"10,000 nested arrays", deep('[', ']', 10000), false, true},
        {"10,000 nested objects", deep_objects(10000), false, true},
        {"10,000 nested arrays under specs", R"({"specs":)" + deep('[', ']', 10000) + "}", false,
         true},
        {"unclosed nesting", std::string(10000, '['), false, true},
        {"an array", "[]", false, false},
        {"a string", R"("specs")", false, false},
        {"a number", "99999999999999999999", false, false},
        {"null", "null", false, false},
        {"true", "true", false, false},
    };
    return out;
}

std::vector<variant> mutated_bodies(const bj::value& example,
                                    const std::vector<std::string>& lenient) {
    bj::value copy = example;
    mutator m{lenient, {}};
    m.visit(copy, "", copy);
    // The top level itself replaced is covered by malformed_bodies().
    std::erase_if(m.out, [](const variant& v) { return v.what.starts_with(" = "); });
    return std::move(m.out);
}

std::vector<std::string> undecodable_params() {
    return {"%",      "%zz",       "%0",     "a%",           "%%41", "%G1",   "%\xff",
            "%C0%AF", "%ED%A0%80", "%FF%FE", "%F4%90%80%80", "a%80", "%E2%82"};
}

std::vector<std::string> odd_params() {
    return {"%00",    "%2F", "a%2Fb%2F..%2F",   "..",
            "%2E%2E", "%20", "%C3%A9%E2%82%AC", std::string(4000, 'n')};
}

std::string fill(const std::string& pattern,
                 const std::vector<std::pair<std::string, std::string>>& params,
                 const std::string& only_param, const std::string& value) {
    std::string out = pattern;
    for (const auto& [name, v] : params) {
        const std::string key = "{" + name + "}";
        if (auto at = out.find(key); at != std::string::npos)
            out.replace(at, key.size(), name == only_param ? value : v);
    }
    return out;
}

} // namespace flotilla::testing::robust
