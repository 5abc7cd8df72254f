#include "http/query_codec.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

expected<service::query_payload> decode_query_payload(std::string_view body) {
    auto obj = json::parse_object(body);
    if (!obj)
        return obj.err();
    json::reader r(*obj);
    service::query_payload p;
    p.name = r.str("name");
    p.description = r.str("description");
    p.sql = r.str("query");
    p.observer_can_run = r.boolean("observer_can_run");
    if (r.failure())
        return *r.failure();
    return p;
}

expected<std::vector<std::int64_t>> decode_query_ids(std::string_view body) {
    auto obj = json::parse_object(body);
    if (!obj)
        return obj.err();
    json::reader r(*obj);
    std::vector<std::int64_t> ids;
    const bj::array* list = r.array("ids");
    if (r.failure())
        return *r.failure();
    if (!list)
        return ids;
    for (const auto& v : *list) {
        // Fleet's ids are uint: integers only (no 2.0), none negative.
        auto id = v.is_int64() || v.is_uint64() ? json::to_int64(v) : std::nullopt;
        if (!id || *id < 0)
            return error::bad_request("json: cannot unmarshal " + std::string(json::kind_name(v)) +
                                      " into field ids of type []uint (whole numbers from 0 to "
                                      "2^63-1)");
        ids.push_back(*id);
    }
    return ids;
}

} // namespace flotilla::http
