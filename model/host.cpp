#include "model/host.hpp"
#include "model/text.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdint>

namespace flotilla {

namespace bj = boost::json;

const std::vector<detail_query>& detail_queries() {
    static const std::vector<detail_query> list = {
        {"os_version", "SELECT * FROM os_version LIMIT 1", {}},
        {"osquery_info", "SELECT * FROM osquery_info LIMIT 1", {}},
        {"system_info", "SELECT * FROM system_info LIMIT 1", {}},
        {"osquery_flags",
         "SELECT name, value FROM osquery_flags WHERE name IN ('distributed_interval', "
         "'config_tls_refresh', 'config_refresh', 'logger_tls_period')",
         {}},
        {"network_interface",
         "SELECT ia.address, id.mac, id.interface FROM interface_details id JOIN "
         "interface_addresses ia ON ia.interface = id.interface WHERE length(id.mac) > 0 ORDER BY "
         "(id.ibytes + id.obytes) DESC",
         {}},
        {"uptime", "SELECT * FROM uptime LIMIT 1", {}},
    };
    return list;
}

namespace {

std::string get(const result_row& r, const char* key) {
    auto it = r.find(key);
    return it == r.end() ? std::string() : it->second;
}

/// Sets `out` from a decimal string; malformed input, or a value outside
/// [lo, hi], leaves it unchanged.
void set_int(std::int64_t& out, const std::string& s, std::int64_t lo = INT64_MIN,
             std::int64_t hi = INT64_MAX) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && v >= lo && v <= hi)
        out = v;
}

/// osquery's interval flags, in seconds; Fleet stores them as 32-bit integers.
/// Bounded so that the online window (interval + 60 s, in microseconds) cannot overflow.
constexpr std::int64_t max_interval_s = INT32_MAX;
/// The largest uptime whose nanoseconds fit an int64 (about 292 years).
constexpr std::int64_t max_uptime_s = INT64_MAX / 1'000'000'000;

/// Sets `out` from a non-empty string, cut to what the store's column holds
/// (osquery cannot be told to send less, so a longer value is not refused).
void set_str(std::string& out, const std::string& s) {
    if (!s.empty())
        out = truncated(s);
}

bool is_ipv4(const std::string& a) {
    return a.find('.') != std::string::npos;
}

void ingest_os_version(host& h, const result_row& r) {
    std::string version = get(r, "name");
    const std::string major = get(r, "major"), minor = get(r, "minor"), patch = get(r, "patch");
    if (!major.empty())
        version +=
            " " + major + "." + (minor.empty() ? "0" : minor) + "." + (patch.empty() ? "0" : patch);
    set_str(h.os_version, version);
    set_str(h.platform, get(r, "platform"));
    set_str(h.platform_like, get(r, "platform_like"));
    set_str(h.build, get(r, "build"));
    set_str(h.code_name, get(r, "codename"));
}

void ingest_system_info(host& h, const result_row& r) {
    set_str(h.hostname, get(r, "hostname"));
    set_str(h.uuid, get(r, "uuid"));
    set_str(h.cpu_type, get(r, "cpu_type"));
    set_str(h.cpu_subtype, get(r, "cpu_subtype"));
    set_str(h.cpu_brand, get(r, "cpu_brand"));
    set_int(h.cpu_physical_cores, get(r, "cpu_physical_cores"));
    set_int(h.cpu_logical_cores, get(r, "cpu_logical_cores"));
    set_int(h.memory, get(r, "physical_memory"));
    set_str(h.hardware_vendor, get(r, "hardware_vendor"));
    set_str(h.hardware_model, get(r, "hardware_model"));
    set_str(h.hardware_version, get(r, "hardware_version"));
    set_str(h.hardware_serial, get(r, "hardware_serial"));
    set_str(h.computer_name, get(r, "computer_name"));
}

} // namespace

bool ingest_detail(host& h, const std::string& name, const std::vector<result_row>& rows) {
    if (name == "os_version") {
        if (!rows.empty())
            ingest_os_version(h, rows[0]);
    } else if (name == "osquery_info") {
        if (!rows.empty())
            set_str(h.osquery_version, get(rows[0], "version"));
    } else if (name == "system_info") {
        if (!rows.empty())
            ingest_system_info(h, rows[0]);
    } else if (name == "osquery_flags") {
        for (const auto& r : rows) {
            const std::string flag = get(r, "name"), value = get(r, "value");
            if (flag == "distributed_interval")
                set_int(h.distributed_interval, value, 0, max_interval_s);
            else if (flag == "config_tls_refresh" || flag == "config_refresh")
                set_int(h.config_tls_refresh, value, 0, max_interval_s);
            else if (flag == "logger_tls_period")
                set_int(h.logger_tls_period, value, 0, max_interval_s);
        }
    } else if (name == "network_interface") {
        // The busiest interface's first IPv4 address that is not loopback; else
        // the first non-loopback address; else nothing.
        const result_row* best = nullptr;
        for (const auto& r : rows) {
            const std::string a = get(r, "address");
            if (a.empty() || a.starts_with("127.") || a == "::1" || a.starts_with("fe80:"))
                continue;
            if (!best || (is_ipv4(a) && !is_ipv4(get(*best, "address"))))
                best = &r;
            if (is_ipv4(get(*best, "address")))
                break;
        }
        if (best) {
            h.primary_ip = truncated(get(*best, "address"));
            h.primary_mac = truncated(get(*best, "mac"));
        }
    } else if (name == "uptime") {
        std::int64_t secs = -1;
        if (!rows.empty())
            set_int(secs, get(rows[0], "total_seconds"), 0, max_uptime_s);
        if (secs >= 0)
            h.uptime_ns = secs * 1'000'000'000;
    } else {
        return false;
    }
    return true;
}

void ingest_enroll_details(host& h, const bj::object& details) {
    for (const char* name : {"os_version", "osquery_info", "system_info"}) {
        const bj::value* v = details.if_contains(name);
        if (!v || !v->is_object())
            continue;
        result_row row;
        for (const auto& kv : v->get_object())
            if (kv.value().is_string())
                row[std::string(kv.key())] = std::string(kv.value().get_string());
            else if (kv.value().is_number())
                row[std::string(kv.key())] = bj::serialize(kv.value());
        ingest_detail(h, name, {row});
    }
}

std::string platform_family(const std::string& p) {
    if (p == "darwin" || p == "windows")
        return p;
    static const char* linuxes[] = {"ubuntu", "debian", "rhel",  "centos", "sles",
                                    "kali",   "gentoo", "linux", "amzn",   "fedora"};
    if (std::find(std::begin(linuxes), std::end(linuxes), p) != std::end(linuxes))
        return "linux";
    return "";
}

std::int64_t online_window_s(const host& h) {
    // 0 is "not known" (the host has not reported its flags): it does not count.
    auto interval = std::min(h.distributed_interval, h.config_tls_refresh);
    if (interval <= 0)
        interval = std::max(h.distributed_interval, h.config_tls_refresh);
    return std::clamp<std::int64_t>(interval, 0, max_interval_s) + 60;
}

host_status status_of(const host& h, micros now) {
    return status_from(h.seen_time ? h.seen_time : h.created_at, online_window_s(h), now);
}

host_status status_from(micros seen, std::int64_t online_window_s, micros now) {
    online_window_s = std::clamp<std::int64_t>(online_window_s, 0, max_interval_s + 60);
    if (seen + seconds_to_micros(online_window_s) > now)
        return host_status::online;
    if (seen + seconds_to_micros(30LL * 24 * 3600) <= now)
        return host_status::mia;
    return host_status::offline;
}

bool is_new(const host& h, micros now) {
    return h.created_at + seconds_to_micros(24 * 3600) >= now;
}

bj::value to_json(const host& h) {
    return bj::object{
        {"created_at", format_rfc3339(h.created_at)},
        {"updated_at", format_rfc3339(h.updated_at)},
        {"id", h.id},
        {"detail_updated_at", format_rfc3339(h.detail_updated_at)},
        {"label_updated_at", format_rfc3339(h.label_updated_at)},
        {"policy_updated_at", format_rfc3339(h.policy_updated_at)},
        {"last_enrolled_at", format_rfc3339(h.last_enrolled_at)},
        {"seen_time", format_rfc3339(h.seen_time ? h.seen_time : h.created_at)},
        {"refetch_requested", h.refetch_requested},
        {"hostname", h.hostname},
        {"uuid", h.uuid},
        {"platform", h.platform},
        {"osquery_version", h.osquery_version},
        {"os_version", h.os_version},
        {"build", h.build},
        {"platform_like", h.platform_like},
        {"code_name", h.code_name},
        {"uptime", h.uptime_ns},
        {"memory", h.memory},
        {"cpu_type", h.cpu_type},
        {"cpu_subtype", h.cpu_subtype},
        {"cpu_brand", h.cpu_brand},
        {"cpu_physical_cores", h.cpu_physical_cores},
        {"cpu_logical_cores", h.cpu_logical_cores},
        {"hardware_vendor", h.hardware_vendor},
        {"hardware_model", h.hardware_model},
        {"hardware_version", h.hardware_version},
        {"hardware_serial", h.hardware_serial},
        {"computer_name", h.computer_name},
        {"primary_ip", h.primary_ip},
        {"primary_mac", h.primary_mac},
        {"distributed_interval", h.distributed_interval},
        {"config_tls_refresh", h.config_tls_refresh},
        {"logger_tls_period", h.logger_tls_period},
        {"team_id", h.team_id ? bj::value(*h.team_id) : bj::value(nullptr)},
        {"pack_stats", nullptr},
        {"team_name", nullptr},
        {"gigs_disk_space_available", 0},
        {"percent_disk_space_available", 0},
        {"issues", {{"total_issues_count", 0}, {"failing_policies_count", 0}}},
    };
}

bj::object host_response(const host& h, micros now, const std::optional<std::string>& team_name,
                         std::int64_t failing_policies) {
    auto o = to_json(h).as_object();
    static constexpr const char* names[] = {"online", "offline", "mia"};
    o["status"] = names[static_cast<int>(status_of(h, now))];
    o["display_text"] = h.hostname;
    o["display_name"] = h.computer_name.empty() ? h.hostname : h.computer_name;
    o["team_name"] = team_name ? bj::value(*team_name) : bj::value(nullptr);
    o["issues"] = bj::object{{"total_issues_count", failing_policies},
                             {"failing_policies_count", failing_policies}};
    return o;
}

} // namespace flotilla
