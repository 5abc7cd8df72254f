#pragma once
/// App config (fleet-rest.md §2): reading it, changing it (global admins only),
/// and the one rule other features take from it: live queries may be disabled.

#include "model/app_config.hpp"
#include "model/error.hpp"
#include "model/user.hpp"

#include <boost/json/object.hpp>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// GET /config: the stored config (any signed-in user may read it).
expected<app_config> current_app_config(storage::store& st);

/// PATCH /config: a global admin's `patch` merged into the stored config and
/// validated (model/app_config.hpp; `force` skips unknown keys); saved unless
/// `dry_run`. Returns the config as it now is (or would be).
expected<app_config> modify_app_config(storage::store& st, const user& by,
                                       const boost::json::object& patch, bool dry_run,
                                       bool force = false);

/// Fleet's refusal while server_settings.live_query_disabled is set: 403 with the
/// reason "disabled by administrator".
error live_queries_disabled();

/// Whether live queries may run now (queries/run, the status check).
expected<void> live_queries_allowed(storage::store& st);

} // namespace flotilla::service
