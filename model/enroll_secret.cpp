#include "model/enroll_secret.hpp"

#include <boost/json.hpp>

namespace flotilla {

boost::json::value to_json(const enroll_secret& s) {
    boost::json::object o{{"secret", s.secret}, {"created_at", format_rfc3339(s.created_at)}};
    if (s.team_id)
        o["team_id"] = *s.team_id;
    return o;
}

} // namespace flotilla
