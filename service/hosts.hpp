#pragma once
/// Hosts (fleet-rest.md §4): deleting them, and the host expiry rule of the
/// app config's host_expiry_settings.

#include "model/clock.hpp"
#include "model/error.hpp"

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

/// Deletes hosts (their label and policy results go with them).
expected<void> delete_hosts(storage::store& st, const std::vector<std::int64_t>& ids);

} // namespace flotilla::service
