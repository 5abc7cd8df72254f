#include "model/activity.hpp"

#include <boost/json.hpp>

namespace flotilla {

boost::json::value to_json(const activity& a) {
    boost::json::object o;
    o["created_at"] = format_rfc3339(a.created_at);
    o["id"] = a.id;
    o["actor_full_name"] = a.actor_name;
    if (a.actor_id)
        o["actor_id"] = *a.actor_id;
    else
        o["actor_id"] = nullptr;
    if (a.actor_gravatar)
        o["actor_gravatar"] = *a.actor_gravatar;
    else
        o["actor_gravatar"] = nullptr;
    o["actor_email"] = a.actor_email;
    o["type"] = a.type;
    o["details"] = a.details;
    return o;
}

} // namespace flotilla
