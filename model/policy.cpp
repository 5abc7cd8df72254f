#include "model/policy.hpp"
#include "model/text.hpp"

#include "model/json.hpp"
#include "model/query.hpp"

#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

expected<std::vector<policy_spec>> decode_policy_specs(const bj::object& body) {
    auto objs = spec_objects(body);
    if (!objs)
        return objs.err();
    std::vector<policy_spec> out;
    for (const auto* o : *objs) {
        json::reader r(*o, "specs");
        policy_spec p;
        p.name = r.str("name").value_or("");
        p.query = r.str("query").value_or("");
        p.description = r.str("description").value_or("");
        p.resolution = r.str("resolution").value_or("");
        p.team = r.str("team").value_or("");
        p.platform = r.str("platform").value_or("");
        if (r.failure())
            return *r.failure();
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<field_error> validate(const policy_spec& p) {
    std::vector<field_error> errors;
    if (p.name.empty())
        errors.push_back({"name", "policy name cannot be empty"});
    check_length(errors, "name", p.name, "policy name");
    if (p.query.empty())
        errors.push_back({"query", "policy '" + p.name + "': query cannot be empty"});
    else if (has_attach(p.query))
        errors.push_back({"query", "policy '" + p.name + "': ATTACH not allowed in queries"});
    if (!p.platform.empty()) {
        std::size_t start = 0;
        while (start <= p.platform.size()) {
            auto comma = p.platform.find(',', start);
            if (comma == std::string::npos)
                comma = p.platform.size();
            std::string item = p.platform.substr(start, comma - start);
            if (item != "darwin" && item != "windows" && item != "linux") {
                errors.push_back({"platform", "policy '" + p.name + "': invalid platform '" + item +
                                                  "' (want darwin, windows, linux)"});
                break;
            }
            start = comma + 1;
        }
    }
    return errors;
}

bj::value to_json(const policy& p) {
    bj::object o;
    o["id"] = p.id;
    o["name"] = p.name;
    o["query"] = p.query;
    o["description"] = p.description;
    o["author_id"] = p.author_id ? bj::value(*p.author_id) : bj::value(nullptr);
    o["author_name"] = p.author_name;
    o["author_email"] = p.author_email;
    o["team_id"] = p.team_id ? bj::value(*p.team_id) : bj::value(nullptr);
    o["resolution"] = p.resolution;
    o["platform"] = p.platform;
    o["created_at"] = format_rfc3339(p.created_at);
    o["updated_at"] = format_rfc3339(p.updated_at);
    o["passing_host_count"] = p.passing_host_count;
    o["failing_host_count"] = p.failing_host_count;
    return o;
}

} // namespace flotilla
