#include "model/query.hpp"
#include "model/text.hpp"

#include "model/json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <string_view>

namespace flotilla {

namespace bj = boost::json;

bool has_attach(const std::string& sql) {
    // The words ATTACH and, later, AS (any case): what the regex
    // \battach\b[\s\S]*\bas\b matches, in one pass. std::regex recurses once per
    // character here and ran out of stack on a 100 KB query.
    auto word_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    };
    auto is_word = [&](std::size_t start, std::size_t end, std::string_view w) {
        if (end - start != w.size())
            return false;
        for (std::size_t i = 0; i < w.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(sql[start + i])) != w[i])
                return false;
        return true;
    };
    bool attach_seen = false;
    for (std::size_t i = 0; i < sql.size();) {
        if (!word_char(sql[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < sql.size() && word_char(sql[end]))
            ++end;
        if (!attach_seen)
            attach_seen = is_word(i, end, "attach");
        else if (is_word(i, end, "as"))
            return true;
        i = end;
    }
    return false;
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

bool is_blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

std::vector<field_error> validate(const query_spec& s) {
    std::vector<field_error> errors;
    if (is_blank(s.name))
        errors.push_back({"name", "query name cannot be empty"});
    check_length(errors, "name", s.name, "query name");
    if (is_blank(s.query))
        errors.push_back({"query", "query '" + s.name + "': SQL cannot be empty"});
    else if (has_attach(s.query))
        errors.push_back({"query", "query '" + s.name + "': ATTACH not allowed in queries"});
    return errors;
}

namespace {

bj::object pack_json(const query_pack& p) {
    bj::object o;
    o["created_at"] = format_rfc3339(p.created_at);
    o["updated_at"] = format_rfc3339(p.updated_at);
    o["id"] = p.id;
    o["name"] = p.name;
    if (!p.description.empty())
        o["description"] = p.description;
    if (!p.platform.empty())
        o["platform"] = p.platform;
    o["disabled"] = p.disabled;
    o["type"] = p.type ? bj::value(*p.type) : bj::value(nullptr);
    return o;
}

} // namespace

bj::object to_json(const query_details& d) {
    const query& q = d.q;
    bj::object o;
    o["created_at"] = format_rfc3339(q.created_at);
    o["updated_at"] = format_rfc3339(q.updated_at);
    o["id"] = q.id;
    o["name"] = q.name;
    o["description"] = q.description;
    o["query"] = q.sql;
    o["saved"] = q.saved;
    o["observer_can_run"] = q.observer_can_run;
    o["author_id"] = q.author_id ? bj::value(*q.author_id) : bj::value(nullptr);
    o["author_name"] = d.author_name;
    o["author_email"] = d.author_email;
    bj::array packs;
    for (const auto& p : d.packs)
        packs.push_back(pack_json(p));
    o["packs"] = std::move(packs);
    o["stats"] = bj::object{{"system_time_p50", nullptr},
                            {"system_time_p95", nullptr},
                            {"user_time_p50", nullptr},
                            {"user_time_p95", nullptr},
                            {"total_executions", 0}};
    return o;
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
