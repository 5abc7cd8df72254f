#include "http/team_codec.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

/// `team_id`, or current Fleet's `fleet_id`; null or absent is no team; both
/// given and different is a bad_request.
expected<std::optional<std::int64_t>> team_of(json::reader& r) {
    auto team = r.int64("team_id");
    auto fleet = r.int64("fleet_id");
    if (r.failure())
        return *r.failure();
    if (team && fleet && *team != *fleet)
        return error::bad_request("team_id and fleet_id name different teams");
    return team ? team : fleet;
}

/// The array under `key` (required), each element an object.
expected<const bj::array*> objects_under(const bj::object& body, const char* key) {
    json::reader r(body);
    const bj::array* list = r.array(key);
    if (r.failure())
        return *r.failure();
    if (!list)
        return error::bad_request(std::string("missing required key '") + key + "'");
    for (const auto& e : *list)
        if (!e.is_object())
            return error::bad_request(std::string("json: each element of ") + key +
                                      " must be an object");
    return list;
}

} // namespace

expected<team_payload> decode_team_payload(std::string_view text) {
    auto body = json::parse_object(text);
    if (!body)
        return body.err();
    json::reader r(*body);
    team_payload p{r.str("name"), r.str("description")};
    if (r.failure())
        return *r.failure();
    return p;
}

expected<bj::value> decode_agent_options(std::string_view text) {
    auto body = json::parse(text);
    if (!body)
        return body.err();
    if (!body->is_object())
        return error::bad_request("agent options must be a JSON object, not " +
                                  std::string(json::kind_name(*body)));
    return body;
}

expected<std::vector<std::string>> decode_team_secrets(std::string_view text) {
    auto body = json::parse_object(text);
    if (!body)
        return body.err();
    auto list = objects_under(*body, "secrets");
    if (!list)
        return list.err();
    std::vector<std::string> out;
    for (const auto& e : **list) {
        json::reader s(e.get_object(), "secrets");
        auto secret = s.str("secret");
        if (s.failure())
            return *s.failure();
        if (!secret)
            return error::bad_request("json: each element of secrets needs a string \"secret\"");
        out.push_back(std::move(*secret));
    }
    return out;
}

expected<std::vector<service::team_member_payload>> decode_team_members(std::string_view text) {
    auto body = json::parse_object(text);
    if (!body)
        return body.err();
    auto list = objects_under(*body, "users");
    if (!list)
        return list.err();
    std::vector<service::team_member_payload> out;
    for (const auto& e : **list) {
        json::reader u(e.get_object(), "users");
        auto id = u.int64("id");
        auto role = u.str("role");
        if (u.failure())
            return *u.failure();
        if (!id || *id <= 0)
            return error::bad_request("json: each element of users needs a positive integer id");
        out.push_back({*id, role.value_or("")});
    }
    return out;
}

expected<transfer_request> decode_transfer(std::string_view text) {
    auto body = json::parse_object(text);
    if (!body)
        return body.err();
    json::reader r(*body);
    transfer_request out;
    auto team = team_of(r);
    if (!team)
        return team.err();
    out.team_id = *team;
    const bj::array* hosts = r.array("hosts");
    if (r.failure())
        return *r.failure();
    if (hosts)
        for (const auto& h : *hosts) {
            auto id = h.is_int64() || h.is_uint64() ? json::to_int64(h) : std::nullopt;
            if (!id)
                return error::bad_request("json: hosts must hold integers of at most 2^63-1");
            out.host_ids.push_back(*id);
        }
    return out;
}

expected<transfer_filter_request> decode_transfer_filter(std::string_view text) {
    auto body = json::parse_object(text);
    if (!body)
        return body.err();
    json::reader r(*body);
    transfer_filter_request out;
    auto team = team_of(r);
    if (!team)
        return team.err();
    out.team_id = *team;
    const bj::object* filters = r.object("filters");
    if (r.failure())
        return *r.failure();
    if (!filters)
        return error::bad_request("missing required key 'filters'");
    json::reader f(*filters, "filters");
    out.filter.query = f.str("query").value_or("");
    out.filter.status = f.str("status").value_or("");
    out.filter.label_id = f.int64("label_id");
    if (f.failure())
        return *f.failure();
    return out;
}

} // namespace flotilla::http
