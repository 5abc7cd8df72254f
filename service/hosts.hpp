#pragma once
/// Hosts (fleet-rest.md §4): deleting them, and the host expiry rule of the
/// app config's host_expiry_settings.

#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/host.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// Hosts unseen since before this are expired: `now` minus the app config's
/// host_expiry_window (days); nullopt while host expiry is off.
expected<std::optional<micros>> host_expiry_cutoff(storage::store& st, micros now);

/// Fills each host's unknown (0) distributed_interval and config_tls_refresh
/// from the agent options it is served (its team's, else the app config's), so
/// its online window follows the configured intervals until it reports its own
/// osquery flags. Before setup (no app config) the hosts are left as they are.
expected<void> fill_configured_intervals(storage::store& st, std::vector<host>& hosts);

/// Every host, with fill_configured_intervals applied.
expected<std::vector<host>> hosts_with_intervals(storage::store& st);

/// Deletes hosts (their label and policy results go with them).
expected<void> delete_hosts(storage::store& st, const std::vector<std::int64_t>& ids);

} // namespace flotilla::service
