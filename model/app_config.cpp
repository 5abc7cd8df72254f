#include "model/app_config.hpp"

#include <array>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

namespace flotilla {

namespace bj = boost::json;

namespace {

/// What a settable key holds.
enum class kind {
    object,     ///< merged key by key
    boolean,    ///< true/false
    string,     ///< text
    count,      ///< a non-negative integer
    number,     ///< any number
    id_list,    ///< array of non-negative integers, replaced whole; null clears
    string_map, ///< object of name → text, replaced whole; null clears
    options,    ///< agent options: an object, replaced whole
    duration,   ///< Go duration: text ("1h") or nanoseconds, stored as text
    computed,   ///< reported by GET, ignored by PATCH
};

struct field {
    std::string_view path;
    kind k;
};

// Fleet v4.9.1's AppConfig (fleet-rest.md §2.1), by dotted path.
constexpr std::array schema{
    field{"org_info", kind::object},
    field{"org_info.org_name", kind::string},
    field{"org_info.org_logo_url", kind::string},
    field{"server_settings", kind::object},
    field{"server_settings.server_url", kind::string},
    field{"server_settings.live_query_disabled", kind::boolean},
    field{"server_settings.enable_analytics", kind::boolean},
    field{"server_settings.debug_host_ids", kind::id_list},
    field{"server_settings.deferred_save_host", kind::boolean},
    field{"smtp_settings", kind::object},
    field{"smtp_settings.enable_smtp", kind::boolean},
    field{"smtp_settings.configured", kind::computed},
    field{"smtp_settings.sender_address", kind::string},
    field{"smtp_settings.server", kind::string},
    field{"smtp_settings.port", kind::count},
    field{"smtp_settings.authentication_type", kind::string},
    field{"smtp_settings.user_name", kind::string},
    field{"smtp_settings.password", kind::string},
    field{"smtp_settings.enable_ssl_tls", kind::boolean},
    field{"smtp_settings.authentication_method", kind::string},
    field{"smtp_settings.domain", kind::string},
    field{"smtp_settings.verify_ssl_certs", kind::boolean},
    field{"smtp_settings.enable_start_tls", kind::boolean},
    field{"host_expiry_settings", kind::object},
    field{"host_expiry_settings.host_expiry_enabled", kind::boolean},
    field{"host_expiry_settings.host_expiry_window", kind::count},
    field{"host_settings", kind::object},
    field{"host_settings.enable_host_users", kind::boolean},
    field{"host_settings.enable_software_inventory", kind::boolean},
    field{"host_settings.additional_queries", kind::string_map},
    field{"agent_options", kind::options},
    field{"smtp_test", kind::computed},
    field{"sso_settings", kind::object},
    field{"sso_settings.entity_id", kind::string},
    field{"sso_settings.issuer_uri", kind::string},
    field{"sso_settings.idp_image_url", kind::string},
    field{"sso_settings.metadata", kind::string},
    field{"sso_settings.metadata_url", kind::string},
    field{"sso_settings.idp_name", kind::string},
    field{"sso_settings.enable_sso", kind::boolean},
    field{"sso_settings.enable_sso_idp_login", kind::boolean},
    field{"vulnerability_settings", kind::object},
    field{"vulnerability_settings.databases_path", kind::string},
    field{"webhook_settings", kind::object},
    field{"webhook_settings.host_status_webhook", kind::object},
    field{"webhook_settings.host_status_webhook.enable_host_status_webhook", kind::boolean},
    field{"webhook_settings.host_status_webhook.destination_url", kind::string},
    field{"webhook_settings.host_status_webhook.host_percentage", kind::number},
    field{"webhook_settings.host_status_webhook.days_count", kind::count},
    field{"webhook_settings.failing_policies_webhook", kind::object},
    field{"webhook_settings.failing_policies_webhook.enable_failing_policies_webhook",
          kind::boolean},
    field{"webhook_settings.failing_policies_webhook.destination_url", kind::string},
    field{"webhook_settings.failing_policies_webhook.policy_ids", kind::id_list},
    field{"webhook_settings.failing_policies_webhook.host_batch_size", kind::count},
    field{"webhook_settings.interval", kind::duration},
    // Read-only blocks: GET computes them; a PATCH that sends them back (as
    // `fleetctl get config` prints them) is not refused for it.
    field{"update_interval", kind::computed},
    field{"vulnerabilities", kind::computed},
    field{"license", kind::computed},
    field{"logging", kind::computed},
};

const field* find_field(std::string_view path) {
    for (const auto& f : schema)
        if (f.path == path)
            return &f;
    return nullptr;
}

/// The longest text a setting may hold (SSO metadata XML is the largest).
constexpr std::size_t max_setting_bytes = std::size_t{1} << 20;

constexpr std::int64_t ns_per_hour = 3'600'000'000'000;

bj::object defaults() {
    return bj::parse(R"({
"org_info":{"org_name":"","org_logo_url":""},
"server_settings":{"server_url":"","live_query_disabled":false,"enable_analytics":true,
  "deferred_save_host":false},
"smtp_settings":{"enable_smtp":false,"configured":false,"sender_address":"","server":"",
  "port":587,"authentication_type":"authtype_username_password","user_name":"","password":"",
  "enable_ssl_tls":true,"authentication_method":"authmethod_plain","domain":"",
  "verify_ssl_certs":true,"enable_start_tls":true},
"host_expiry_settings":{"host_expiry_enabled":false,"host_expiry_window":0},
"host_settings":{"enable_host_users":true,"enable_software_inventory":true},
"sso_settings":{"entity_id":"","issuer_uri":"","idp_image_url":"","metadata":"",
  "metadata_url":"","idp_name":"","enable_sso":false,"enable_sso_idp_login":false},
"vulnerability_settings":{"databases_path":""},
"webhook_settings":{"host_status_webhook":{"enable_host_status_webhook":false,
  "destination_url":"","host_percentage":0,"days_count":0},
  "failing_policies_webhook":{"enable_failing_policies_webhook":false,"destination_url":"",
  "policy_ids":null,"host_batch_size":0},"interval":"24h0m0s"}})")
        .as_object();
}

/// Fills what `into` lacks from `from`, recursively (objects only).
void fill_missing(bj::object& into, const bj::object& from) {
    for (const auto& [k, v] : from) {
        auto* have = into.if_contains(k);
        if (!have)
            into[k] = v;
        else if (have->is_object() && v.is_object())
            fill_missing(have->get_object(), v.get_object());
    }
}

std::string text_at(const bj::object& doc, std::string_view block, std::string_view key) {
    if (const auto* b = doc.if_contains(block); b && b->is_object())
        if (const auto* v = b->get_object().if_contains(key); v && v->is_string())
            return std::string(v->get_string());
    return {};
}

bool flag_at(const bj::object& doc, std::string_view block, std::string_view key) {
    if (const auto* b = doc.if_contains(block); b && b->is_object())
        if (const auto* v = b->get_object().if_contains(key); v && v->is_bool())
            return v->get_bool();
    return false;
}

const char* type_name(kind k) {
    switch (k) {
    case kind::object:
    case kind::options:
        return "an object";
    case kind::boolean:
        return "a boolean";
    case kind::string:
        return "a string";
    case kind::count:
        return "a non-negative integer";
    case kind::number:
        return "a number";
    case kind::id_list:
        return "an array of ids";
    case kind::string_map:
        return "an object of strings";
    case kind::duration:
        return "a duration";
    case kind::computed:
        break;
    }
    return "a value";
}

error wrong_type(const std::string& path, kind k) {
    return error::bad_request("invalid value for \"" + path + "\": must be " + type_name(k));
}

std::optional<std::int64_t> as_count(const bj::value& v) {
    if (v.is_int64() && v.get_int64() >= 0)
        return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    return std::nullopt;
}

/// Whether `v` is a value a boolean, number or options key stores as it is.
bool taken_as_is(kind k, const bj::value& v) {
    switch (k) {
    case kind::boolean:
        return v.is_bool();
    case kind::number:
        return v.is_number() && !(v.is_double() && !std::isfinite(v.get_double()));
    case kind::options:
        return v.is_object();
    default:
        return false;
    }
}

/// Merges `patch` into `into` at `prefix` (Fleet's json.Unmarshal onto the stored
/// config: null leaves a value as it is, except where it clears a list or map).
expected<void> merge(bj::object& into, const bj::object& patch, const std::string& prefix,
                     bool force) {
    for (const auto& [key, v] : patch) {
        std::string path = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
        // Current Fleet's name for host_settings; both are accepted (fleet-rest.md §2.4).
        if (path == "features")
            path = "host_settings";
        const field* f = find_field(path);
        if (!f && force)
            continue;
        if (!f)
            return error::bad_request("unknown field \"" + path + "\"");
        const std::string name =
            path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
        switch (f->k) {
        case kind::computed:
            continue;
        case kind::object: {
            if (v.is_null())
                continue;
            if (!v.is_object())
                return wrong_type(path, f->k);
            auto& slot = into[name];
            if (!slot.is_object())
                slot = bj::object{};
            if (auto ok = merge(slot.get_object(), v.get_object(), path, force); !ok)
                return ok;
            continue;
        }
        case kind::boolean:
        case kind::number:
        case kind::options:
            if (v.is_null())
                continue;
            if (!taken_as_is(f->k, v))
                return wrong_type(path, f->k);
            into[name] = v;
            continue;
        case kind::string:
            if (v.is_null())
                continue;
            if (!v.is_string())
                return wrong_type(path, f->k);
            if (v.get_string().size() > max_setting_bytes)
                return error::bad_request("\"" + path + "\" is too long");
            // The masked password sent back by a client keeps the stored one.
            if (path == "smtp_settings.password" && v.get_string() == masked_secret)
                continue;
            into[name] = v;
            continue;
        case kind::count: {
            if (v.is_null())
                continue;
            auto n = as_count(v);
            if (!n)
                return wrong_type(path, f->k);
            into[name] = *n;
            continue;
        }
        case kind::id_list: {
            if (v.is_null()) {
                into[name] = nullptr;
                continue;
            }
            if (!v.is_array())
                return wrong_type(path, f->k);
            bj::array ids;
            for (const auto& id : v.get_array()) {
                auto n = as_count(id);
                if (!n)
                    return wrong_type(path, f->k);
                ids.push_back(*n);
            }
            into[name] = std::move(ids);
            continue;
        }
        case kind::string_map: {
            if (v.is_null()) {
                into.erase(name);
                continue;
            }
            if (!v.is_object())
                return wrong_type(path, f->k);
            for (const auto& [n, sql] : v.get_object())
                if (!sql.is_string())
                    return wrong_type(path + "." + std::string(n), kind::string);
            into[name] = v;
            continue;
        }
        case kind::duration: {
            if (v.is_null())
                continue;
            std::optional<std::int64_t> ns;
            if (v.is_string())
                ns = parse_go_duration(v.get_string());
            else
                ns = as_count(v);
            if (!ns)
                return wrong_type(path, f->k);
            into[name] = go_duration_string(*ns);
            continue;
        }
        }
    }
    return {};
}

/// The agent options' shape (Fleet applies it to osquery's config): an object;
/// `config` an object; `overrides` an object whose `platforms` maps a platform
/// to a config object.
void check_agent_options(const bj::value& opts, std::vector<field_error>& errors) {
    auto bad = [&](const std::string& why) { errors.push_back({"agent_options", why}); };
    if (!opts.is_object())
        return bad("agent_options must be an object");
    const auto& o = opts.get_object();
    if (const auto* c = o.if_contains("config"); c && !c->is_object() && !c->is_null())
        bad("agent_options.config must be an object");
    if (const auto* ov = o.if_contains("overrides"); ov && !ov->is_null()) {
        if (!ov->is_object())
            return bad("agent_options.overrides must be an object");
        if (const auto* p = ov->get_object().if_contains("platforms"); p && !p->is_null()) {
            if (!p->is_object())
                return bad("agent_options.overrides.platforms must be an object");
            for (const auto& [platform, cfg] : p->get_object())
                if (!cfg.is_object())
                    bad("agent_options.overrides.platforms." + std::string(platform) +
                        " must be an object");
        }
    }
}

std::vector<field_error> validate(const app_config& cfg, const bj::object& patch) {
    std::vector<field_error> errors;
    const auto& d = cfg.doc;
    if (const auto* s = patch.if_contains("server_settings");
        s && s->is_object() && s->get_object().contains("server_url"))
        for (auto& e : validate_server_url(cfg.server_url()))
            errors.push_back(std::move(e));
    if (cfg.host_expiry_enabled() && cfg.host_expiry_window_days() <= 0)
        errors.push_back({"host_expiry_window", "host expiry window must be a positive number"});
    if (flag_at(d, "sso_settings", "enable_sso")) {
        if (text_at(d, "sso_settings", "metadata").empty() &&
            text_at(d, "sso_settings", "metadata_url").empty())
            errors.push_back({"metadata", "either metadata or metadata_url must be defined"});
        if (text_at(d, "sso_settings", "entity_id").empty())
            errors.push_back({"entity_id", "required"});
        if (text_at(d, "sso_settings", "idp_name").size() < 4)
            errors.push_back({"idp_name", "must be 4 or more characters"});
    }
    if (const auto* w = d.if_contains("webhook_settings"); w && w->is_object()) {
        const auto& ws = w->get_object();
        // Each webhook, once enabled, needs where to send.
        auto hook = [&](const char* block, const char* on, const char* what) -> const bj::object* {
            const auto* h = ws.if_contains(block);
            if (!h || !h->is_object() || !flag_at(ws, block, on))
                return nullptr;
            if (text_at(ws, block, "destination_url").empty())
                errors.push_back(
                    {"destination_url",
                     std::string("destination_url is required to enable the ") + what});
            return &h->get_object();
        };
        if (const auto* o =
                hook("host_status_webhook", "enable_host_status_webhook", "host status webhook")) {
            for (const char* key : {"host_percentage", "days_count"}) {
                const auto* n = o->if_contains(key);
                if (!n || !n->is_number() || n->to_number<double>() <= 0)
                    errors.push_back({key, std::string(key) + " must be > 0"});
            }
        }
        hook("failing_policies_webhook", "enable_failing_policies_webhook",
             "failing policies webhook");
        if (const auto* i = ws.if_contains("interval"); i && i->is_string()) {
            auto ns = parse_go_duration(i->get_string());
            if (!ns || *ns <= 0)
                errors.push_back({"interval", "webhook interval must be a positive duration"});
        }
    }
    check_agent_options(cfg.agent_options(), errors);
    return errors;
}

} // namespace

org_info app_config::org() const {
    return {text_at(doc, "org_info", "org_name"), text_at(doc, "org_info", "org_logo_url")};
}

std::string app_config::server_url() const {
    return text_at(doc, "server_settings", "server_url");
}

const bj::value& app_config::agent_options() const {
    static const bj::value none;
    const auto* v = doc.if_contains("agent_options");
    return v ? *v : none;
}

bool app_config::live_query_disabled() const {
    return flag_at(doc, "server_settings", "live_query_disabled");
}

bool app_config::host_expiry_enabled() const {
    return flag_at(doc, "host_expiry_settings", "host_expiry_enabled");
}

std::int64_t app_config::host_expiry_window_days() const {
    if (const auto* b = doc.if_contains("host_expiry_settings"); b && b->is_object())
        if (const auto* v = b->get_object().if_contains("host_expiry_window"); v && v->is_int64())
            return v->get_int64();
    return 0;
}

app_config new_app_config(const org_info& org, const std::string& server_url) {
    app_config cfg{defaults()};
    cfg.doc["org_info"] = to_json(org);
    cfg.doc["server_settings"].as_object()["server_url"] = server_url;
    cfg.doc["agent_options"] = default_agent_options();
    return cfg;
}

app_config app_config_from_stored(const bj::value& stored) {
    app_config cfg;
    if (stored.is_object())
        cfg.doc = stored.get_object();
    // The first format kept server_url at the top.
    if (auto* url = cfg.doc.if_contains("server_url")) {
        bj::value moved = *url;
        cfg.doc.erase("server_url");
        auto& s = cfg.doc["server_settings"];
        if (!s.is_object())
            s = bj::object{};
        s.get_object()["server_url"] = std::move(moved);
    }
    if (!cfg.doc.contains("agent_options"))
        cfg.doc["agent_options"] = default_agent_options();
    fill_missing(cfg.doc, defaults());
    return cfg;
}

expected<app_config> patch_app_config(const app_config& current, const bj::object& patch,
                                      bool force) {
    app_config next = current;
    if (auto ok = merge(next.doc, patch, "", force); !ok)
        return ok.err();
    if (auto errors = validate(next, patch); !errors.empty())
        return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
    return next;
}

bj::object enriched_app_config(const app_config& cfg, const server_facts& facts) {
    bj::object out = cfg.doc;
    if (auto* smtp = out.if_contains("smtp_settings"); smtp && smtp->is_object()) {
        auto& o = smtp->get_object();
        if (auto* p = o.if_contains("password"); p && p->is_string() && !p->get_string().empty())
            *p = masked_secret;
        o["configured"] = false; // Flotilla sends no mail
    }
    if (const auto* hs = out.if_contains("host_settings"))
        out["features"] = *hs; // current Fleet's name for the same block
    auto ns = [](std::chrono::seconds s) {
        return static_cast<std::int64_t>(s.count()) * 1'000'000'000;
    };
    out["update_interval"] = bj::object{{"osquery_detail", ns(facts.detail_interval)},
                                        {"osquery_policy", ns(facts.policy_interval)}};
    out["vulnerabilities"] = bj::object{{"databases_path", ""},
                                        {"periodicity", ns_per_hour},
                                        {"cpe_database_url", ""},
                                        {"cve_feed_prefix_url", ""},
                                        {"current_instance_checks", "auto"},
                                        {"disable_data_sync", false}};
    out["license"] = bj::object{{"tier", "free"}, {"expiration", "0001-01-01T00:00:00Z"}};
    auto file_plugin = [](const char* key, const std::string& path) {
        return bj::object{{"plugin", "filesystem"},
                          {"config", bj::object{{key, path},
                                                {"enable_log_rotation", false},
                                                {"enable_log_compression", false}}}};
    };
    out["logging"] = bj::object{{"debug", false},
                                {"json", false},
                                {"result", file_plugin("result_log_file", facts.result_log_file)},
                                {"status", file_plugin("status_log_file", facts.status_log_file)}};
    return out;
}

bj::value default_agent_options() {
    return bj::parse(R"({"config":{"options":{"logger_plugin":"tls","pack_delimiter":"/",
"logger_tls_period":10,"distributed_plugin":"tls","disable_distributed":false,
"logger_tls_endpoint":"/api/v1/osquery/log","distributed_interval":10,
"distributed_tls_max_attempts":3},"decorators":{"load":["SELECT uuid AS host_uuid FROM system_info;",
"SELECT hostname AS hostname FROM system_info;"]}},"overrides":{}})");
}

std::vector<field_error> validate_server_url(const std::string& url) {
    if (url.empty())
        return {{"server_url", "missing required argument"},
                {"server_url", "url scheme must be https"}};
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->host().empty())
        return {{"server_url", "invalid URL '" + url + "'"}};
    if (parsed->scheme() != "https" && parsed->host().find("localhost") == std::string::npos)
        return {{"server_url", "url scheme must be https"}};
    return {};
}

bj::value to_json(const org_info& o) {
    return bj::object{{"org_name", o.org_name}, {"org_logo_url", o.org_logo_url}};
}

std::string go_duration_string(std::int64_t ns) {
    if (ns == 0)
        return "0s";
    std::string out;
    std::uint64_t u = ns < 0 ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : ns;
    if (ns < 0)
        out = "-";
    constexpr std::uint64_t second = 1'000'000'000;
    if (u < second) {
        // Fleet's intervals are never sub-second; Go prints these as ms/µs/ns.
        if (u % 1'000'000 == 0)
            return out + std::to_string(u / 1'000'000) + "ms";
        if (u % 1'000 == 0)
            return out + std::to_string(u / 1'000) + "µs";
        return out + std::to_string(u) + "ns";
    }
    const std::uint64_t h = u / (3600 * second);
    const std::uint64_t m = (u / (60 * second)) % 60;
    const std::uint64_t whole = (u / second) % 60;
    const std::uint64_t frac = u % second;
    std::string secs = std::to_string(whole);
    if (frac != 0) {
        std::string f = std::to_string(frac);
        f.insert(0, 9 - f.size(), '0');
        while (!f.empty() && f.back() == '0')
            f.pop_back();
        secs += "." + f;
    }
    if (h > 0)
        out += std::to_string(h) + "h" + std::to_string(m) + "m";
    else if (m > 0)
        out += std::to_string(m) + "m";
    return out + secs + "s";
}

std::optional<std::int64_t> parse_go_duration(std::string_view s) {
    if (s == "0")
        return 0;
    if (s.empty() || s.front() == '-')
        return std::nullopt;
    if (s.front() == '+')
        s.remove_prefix(1);
    long double total = 0;
    bool any = false;
    while (!s.empty()) {
        std::size_t i = 0;
        long double whole = 0, frac = 0, scale = 1;
        bool digits = false;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            whole = whole * 10 + (s[i++] - '0');
            digits = true;
            if (whole > 1e30L)
                return std::nullopt;
        }
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                scale /= 10;
                frac += (s[i++] - '0') * scale;
                digits = true;
            }
        }
        if (!digits)
            return std::nullopt;
        std::size_t j = i;
        while (j < s.size() && !(s[j] >= '0' && s[j] <= '9') && s[j] != '.')
            ++j;
        const auto unit = s.substr(i, j - i);
        long double mult = 0;
        if (unit == "ns")
            mult = 1;
        else if (unit == "us" || unit == "µs" || unit == "μs")
            mult = 1e3L;
        else if (unit == "ms")
            mult = 1e6L;
        else if (unit == "s")
            mult = 1e9L;
        else if (unit == "m")
            mult = 60e9L;
        else if (unit == "h")
            mult = 3600e9L;
        else
            return std::nullopt;
        total += (whole + frac) * mult;
        if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        any = true;
        s.remove_prefix(j);
    }
    if (!any)
        return std::nullopt;
    return static_cast<std::int64_t>(total);
}

} // namespace flotilla
