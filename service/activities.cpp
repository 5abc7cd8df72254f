#include "service/activities.hpp"

#include "storage/store.hpp"

namespace flotilla::service {

expected<void> record_activity(storage::store& st, const user& actor, std::string type,
                               boost::json::object details, micros now) {
    activity a;
    a.created_at = now;
    a.actor_id = actor.id;
    a.actor_name = actor.name;
    a.actor_email = actor.email;
    a.type = std::move(type);
    a.details = std::move(details);
    auto id = st.new_activity(a);
    if (!id)
        return id.err();
    return {};
}

expected<activity_page> list_activities(storage::store& st, const list_options& o) {
    const std::string key = o.order_key.empty() ? "id" : o.order_key;
    if (key != "id" && key != "created_at" && key != "type")
        return error::bad_request("unknown order_key: " + key);
    std::optional<std::int64_t> limit = o.per_page;
    if (!limit && o.page > 0)
        limit = 20;
    const std::int64_t offset = limit ? o.page * *limit : 0;
    // One row past the page says whether another page follows.
    auto rows = st.list_activities(key, o.descending, offset,
                                   limit ? std::optional<std::int64_t>(*limit + 1) : std::nullopt);
    if (!rows)
        return rows.err();
    activity_page out;
    out.has_previous = offset > 0;
    if (limit && static_cast<std::int64_t>(rows->size()) > *limit) {
        out.has_next = true;
        rows->pop_back();
    }
    out.activities = std::move(*rows);
    return out;
}

} // namespace flotilla::service
