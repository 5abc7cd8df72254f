#include "http/message.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

std::string_view request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k == name)
            return v;
    return {};
}

response response::json(int status, const boost::json::value& v) {
    response r;
    r.status = status;
    r.body = boost::json::serialize(v);
    return r;
}

response response::empty_object() {
    return json(200, boost::json::object{});
}

} // namespace flotilla::http
