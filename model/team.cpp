#include "model/team.hpp"
#include "model/text.hpp"

#include "model/json.hpp"
#include "model/query.hpp"

#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

expected<std::vector<team_spec>> decode_team_specs(const bj::object& body) {
    auto objs = spec_objects(body);
    if (!objs)
        return objs.err();
    std::vector<team_spec> out;
    for (const auto* o : *objs) {
        json::reader r(*o, "specs");
        team_spec t;
        t.name = r.str("name").value_or("");
        if (const bj::value* a = r.any("agent_options"))
            t.agent_options = *a;
        if (const bj::array* secrets = r.array("secrets")) {
            for (const auto& s : *secrets) {
                const bj::value* v = s.is_object() ? s.get_object().if_contains("secret") : nullptr;
                if (!v || !v->is_string())
                    return error::bad_request(
                        "json: each element of specs.secrets must be an object with a string "
                        "\"secret\"");
                t.secrets.emplace_back(v->get_string());
            }
        }
        if (r.failure())
            return *r.failure();
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<field_error> validate(const team_spec& t) {
    std::vector<field_error> errors;
    if (t.name.empty())
        errors.push_back({"name", "team name cannot be empty"});
    check_length(errors, "name", t.name, "team name");
    if (t.agent_options && !t.agent_options->is_object())
        errors.push_back(
            {"agent_options", "team '" + t.name + "': agent_options must be an object"});
    for (const auto& s : t.secrets)
        if (s.empty())
            errors.push_back({"secrets", "team '" + t.name + "': enroll secret cannot be empty"});
        else
            check_length(errors, "secrets", s,
                         "team '" + t.name.substr(0, 64) + "': enroll secret");
    return errors;
}

} // namespace flotilla
