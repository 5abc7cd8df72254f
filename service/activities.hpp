#pragma once
/// The activity feed (fleet-rest.md §7.5): every rule that changes what users
/// share records what it did here, in the same transaction. Fleet 4.9's types
/// (created/edited/deleted_saved_query, deleted_multiple_saved_query,
/// applied_spec_saved_query, applied_spec_pack, created_team, deleted_team,
/// live_query) and later Fleet's (user_logged_in, created_user, deleted_user,
/// applied_spec_team, applied_spec_policy, applied_spec_label,
/// applied_spec_enroll_secret) keep their names and details; labels changed
/// through REST are created_label, edited_label and deleted_label.

#include "model/activity.hpp"
#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/user.hpp"
#include "service/listing.hpp"

#include <boost/json/object.hpp>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// Appends an activity by `actor`.
expected<void> record_activity(storage::store& st, const user& actor, std::string type,
                               boost::json::object details, micros now);

/// One page of the feed, and whether pages lie before and after it.
struct activity_page {
    std::vector<activity> activities;
    bool has_next = false;
    bool has_previous = false;
};

/// GET /activities: every signed-in user reads the feed; order_key id (the
/// default), created_at or type.
expected<activity_page> list_activities(storage::store& st, const list_options& o);

} // namespace flotilla::service
