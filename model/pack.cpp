#include "model/pack.hpp"
#include "model/text.hpp"

#include "model/json.hpp"
#include "model/query.hpp"

#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

namespace {

/// A list of strings (null or absent → empty).
std::vector<std::string> string_list(json::reader& r, std::string_view key) {
    std::vector<std::string> out;
    if (const bj::array* a = r.array(key)) {
        for (const auto& v : *a) {
            if (!v.is_string()) {
                r.fail("json: cannot unmarshal " + std::string(json::kind_name(v)) +
                       " into an element of " + std::string(key) + " of type string");
                return {};
            }
            out.emplace_back(v.get_string());
        }
    }
    return out;
}

scheduled_query_spec decode_scheduled(const bj::object& o, json::reader& outer) {
    json::reader r(o, "specs.queries");
    scheduled_query_spec q;
    q.query = r.str("query").value_or("");
    q.name = r.str("name").value_or("");
    if (q.name.empty())
        q.name = q.query;
    q.description = r.str("description").value_or("");
    q.interval = r.int64("interval").value_or(0);
    q.snapshot = r.boolean("snapshot");
    q.removed = r.boolean("removed");
    q.shard = r.int64("shard");
    q.platform = r.str("platform");
    q.version = r.str("version");
    q.denylist = r.boolean("denylist");
    if (r.failure())
        outer.fail(r.failure()->message);
    return q;
}

} // namespace

expected<std::vector<pack_spec>> decode_pack_specs(const bj::object& body) {
    auto objs = spec_objects(body);
    if (!objs)
        return objs.err();
    std::vector<pack_spec> out;
    for (const auto* o : *objs) {
        json::reader r(*o, "specs");
        pack_spec p;
        p.name = r.str("name").value_or("");
        p.description = r.str("description").value_or("");
        p.platform = r.str("platform").value_or("");
        p.disabled = r.boolean("disabled").value_or(false);
        if (const bj::object* t = r.object("targets")) {
            json::reader tr(*t, "specs.targets");
            p.target_labels = string_list(tr, "labels");
            p.target_teams = string_list(tr, "teams");
            if (tr.failure())
                return *tr.failure();
        }
        if (const bj::array* qs = r.array("queries")) {
            for (const auto& v : *qs) {
                if (!v.is_object())
                    return error::bad_request("json: cannot unmarshal " +
                                              std::string(json::kind_name(v)) +
                                              " into an element of specs.queries of type object");
                p.queries.push_back(decode_scheduled(v.get_object(), r));
            }
        }
        if (r.failure())
            return *r.failure();
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<field_error> validate(const pack_spec& p) {
    std::vector<field_error> errors;
    if (p.name.empty())
        errors.push_back({"name", "pack name cannot be empty"});
    check_length(errors, "name", p.name, "pack name");
    check_length(errors, "platform", p.platform, "pack '" + p.name.substr(0, 64) + "': platform");
    for (const auto& q : p.queries) {
        const std::string in = "pack '" + p.name.substr(0, 64) + "': ";
        check_length(errors, "queries", q.query, in + "query name");
        check_length(errors, "queries", q.name, in + "scheduled query name");
        check_length(errors, "queries", q.platform.value_or(""), in + "platform");
        check_length(errors, "queries", q.version.value_or(""), in + "version");
        if (q.query.empty())
            errors.push_back(
                {"queries", "pack '" + p.name + "': scheduled query name cannot be empty"});
        if (q.interval < 0)
            errors.push_back({"queries", "pack '" + p.name + "': interval of '" + q.name +
                                             "' cannot be negative"});
        if (q.shard && (*q.shard < 0 || *q.shard > 100))
            errors.push_back({"queries", "pack '" + p.name + "': shard of '" + q.name +
                                             "' must be between 0 and 100"});
    }
    return errors;
}

bj::value to_json(const pack_spec& p) {
    bj::object o;
    o["id"] = p.id;
    o["name"] = p.name;
    if (!p.description.empty())
        o["description"] = p.description;
    if (!p.platform.empty())
        o["platform"] = p.platform;
    o["disabled"] = p.disabled;
    auto names = [](const std::vector<std::string>& v) -> bj::value {
        if (v.empty())
            return nullptr;
        bj::array a;
        for (const auto& s : v)
            a.emplace_back(s);
        return a;
    };
    o["targets"] = bj::object{{"labels", names(p.target_labels)}, {"teams", names(p.target_teams)}};
    if (!p.queries.empty()) {
        bj::array qs;
        for (const auto& q : p.queries) {
            bj::object j{{"query", q.query},
                         {"name", q.name},
                         {"description", q.description},
                         {"interval", q.interval}};
            if (q.snapshot)
                j["snapshot"] = *q.snapshot;
            if (q.removed)
                j["removed"] = *q.removed;
            if (q.shard)
                j["shard"] = *q.shard;
            if (q.platform)
                j["platform"] = *q.platform;
            if (q.version)
                j["version"] = *q.version;
            if (q.denylist)
                j["denylist"] = *q.denylist;
            qs.push_back(std::move(j));
        }
        o["queries"] = std::move(qs);
    }
    return o;
}

} // namespace flotilla
