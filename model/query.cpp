#include "model/query.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>
#include <regex>

namespace flotilla {

namespace bj = boost::json;

bool has_attach(const std::string& sql) {
    static const std::regex attach(R"(\battach\b[\s\S]*\bas\b)", std::regex::icase);
    return std::regex_search(sql, attach);
}

expected<std::vector<const bj::object*>> spec_objects(const bj::object& body) {
    auto it = body.find("specs");
    if (it == body.end() || it->value().is_null())
        return error::bad_request("missing required key 'specs'");
    if (!it->value().is_array())
        return error::bad_request("json: cannot unmarshal " +
                                  std::string(json::kind_name(it->value())) +
                                  " into field specs of type array");
    std::vector<const bj::object*> out;
    for (const auto& v : it->value().get_array()) {
        if (!v.is_object())
            return error::bad_request("json: cannot unmarshal " + std::string(json::kind_name(v)) +
                                      " into an element of specs of type object");
        out.push_back(&v.get_object());
    }
    return out;
}

expected<std::vector<query_spec>> decode_query_specs(const bj::object& body) {
    auto objs = spec_objects(body);
    if (!objs)
        return objs.err();
    std::vector<query_spec> out;
    for (const auto* o : *objs) {
        json::reader r(*o, "specs");
        query_spec s;
        s.name = r.str("name").value_or("");
        s.description = r.str("description").value_or("");
        s.query = r.str("query").value_or("");
        s.observer_can_run = r.boolean("observer_can_run").value_or(false);
        if (r.failure())
            return *r.failure();
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<field_error> validate(const query_spec& s) {
    std::vector<field_error> errors;
    if (s.name.empty())
        errors.push_back({"name", "query name cannot be empty"});
    if (s.query.empty())
        errors.push_back({"query", "query '" + s.name + "': SQL cannot be empty"});
    else if (has_attach(s.query))
        errors.push_back({"query", "query '" + s.name + "': ATTACH not allowed in queries"});
    return errors;
}

bj::value to_spec_json(const query& q) {
    bj::object o;
    o["name"] = q.name;
    if (!q.description.empty())
        o["description"] = q.description;
    o["query"] = q.sql;
    if (q.observer_can_run)
        o["observer_can_run"] = true;
    return o;
}

} // namespace flotilla
