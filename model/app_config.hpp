#pragma once
/// The instance-wide configuration (Fleet's AppConfig, fleet-rest.md §2): one
/// JSON document holding every settable block (org_info, server_settings,
/// smtp_settings, host_expiry_settings, host_settings, agent_options,
/// sso_settings, vulnerability_settings, webhook_settings), defaults filled in.
/// PATCH /config merges into it as Fleet does: objects merge key by key, arrays
/// and raw JSON (agent_options, additional_queries, policy_ids, debug_host_ids)
/// are replaced whole. The read-only blocks GET adds (license, logging,
/// update_interval, vulnerabilities) are computed from `server_facts`.

#include "model/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace flotilla {

struct org_info {
    std::string org_name;
    std::string org_logo_url;
};

/// The SMTP password as GET shows it (Fleet's Obfuscate); PATCH keeps the stored
/// password when it is sent back unchanged.
inline constexpr const char* masked_secret = "********";

struct app_config {
    boost::json::object doc; ///< every settable block, defaults filled in

    org_info org() const;
    std::string server_url() const;
    /// Fleet's agent options object ({config, overrides}).
    const boost::json::value& agent_options() const;
    bool live_query_disabled() const;
    bool host_expiry_enabled() const;
    std::int64_t host_expiry_window_days() const;
};

/// A new install's config (Fleet's ApplyDefaultsForNewInstalls).
app_config new_app_config(const org_info& org, const std::string& server_url);

/// The config as stored (older versions stored only server_url, org_info and
/// agent_options at the top): every block present, defaults for what is missing.
app_config app_config_from_stored(const boost::json::value& stored);

/// `current` with `patch` (a PATCH /config body) merged in. A key Fleet's
/// AppConfig does not have, or a value of the wrong type, is a bad_request
/// naming the key; the read-only blocks are ignored; a merged config that breaks
/// a rule (server URL, host expiry window, SSO, webhooks, agent options' shape)
/// is invalid_argument naming the field. With `force` (fleetctl apply --force,
/// `?force=true`) keys Flotilla does not know are skipped instead, as Fleet
/// skips its strict check; wrong types and broken rules are still refused.
expected<app_config> patch_app_config(const app_config& current, const boost::json::object& patch,
                                      bool force = false);

/// What the server knows and GET /config reports read-only.
struct server_facts {
    std::chrono::seconds detail_interval{3600};
    std::chrono::seconds policy_interval{3600};
    std::string result_log_file;
    std::string status_log_file;
};

/// GET /config's body: the settable blocks (the SMTP password masked) plus the
/// read-only license, logging, update_interval and vulnerabilities.
boost::json::object enriched_app_config(const app_config& cfg, const server_facts& facts);

/// Fleet's agent options for a new install (fleet-behaviour.md §6).
boost::json::value default_agent_options();

/// Setup's server_url rule: required, https unless the host names localhost.
/// Returns the field errors (empty when valid).
std::vector<field_error> validate_server_url(const std::string& url);

boost::json::value to_json(const org_info& o);

/// Go's time.Duration text ("24h0m0s", "1m30s", "0s") for `ns` nanoseconds.
std::string go_duration_string(std::int64_t ns);
/// Parses Go duration text ("1h", "1h30m", "1.5s", "300ms"); nullopt when malformed,
/// negative or past int64 nanoseconds.
std::optional<std::int64_t> parse_go_duration(std::string_view text);

} // namespace flotilla
