#include "model/label.hpp"
#include "model/text.hpp"

#include "model/json.hpp"
#include "model/query.hpp"

#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

const std::vector<label_spec>& builtin_labels() {
    auto b = [](std::int64_t id, const char* name, const char* desc, const char* query) {
        return label_spec{id, name, desc, query, "", true, label_membership::dynamic, std::nullopt};
    };
    static const std::vector<label_spec> list = {
        b(6, "All Hosts", "All hosts which have enrolled in Fleet", "select 1;"),
        b(7, "macOS", "All macOS hosts", "select 1 from os_version where platform = 'darwin';"),
        b(8, "Ubuntu Linux", "All Ubuntu hosts",
          "select 1 from os_version where platform = 'ubuntu';"),
        b(9, "CentOS Linux", "All CentOS hosts",
          "select 1 from os_version where platform = 'centos' or name like '%centos%'"),
        b(10, "MS Windows", "All Windows hosts",
          "select 1 from os_version where platform = 'windows';"),
        b(11, "Red Hat Linux", "All Red Hat Enterprise Linux hosts",
          "SELECT 1 FROM os_version WHERE name LIKE '%red hat%'"),
        b(12, "All Linux", "All Linux distributions",
          "SELECT 1 FROM osquery_info WHERE build_platform LIKE '%ubuntu%' OR build_distro LIKE "
          "'%centos%';"),
    };
    return list;
}

expected<std::vector<label_spec>> decode_label_specs(const bj::object& body) {
    auto objs = spec_objects(body);
    if (!objs)
        return objs.err();
    std::vector<label_spec> out;
    for (const auto* o : *objs) {
        json::reader r(*o, "specs");
        label_spec l;
        l.name = r.str("name").value_or("");
        l.description = r.str("description").value_or("");
        l.query = r.str("query").value_or("");
        l.platform = r.str("platform").value_or("");
        if (const bj::value* t = r.any("label_type")) {
            if (*t == "builtin" || *t == 1)
                l.builtin = true;
            else if (!(*t == "regular" || *t == 0))
                return error::bad_request("invalid label_type " + bj::serialize(*t) +
                                          ": want \"regular\" or \"builtin\"");
        }
        if (const bj::value* m = r.any("label_membership_type")) {
            if (*m == "manual")
                l.membership = label_membership::manual;
            else if (*m != "dynamic")
                return error::bad_request("invalid label_membership_type " + bj::serialize(*m) +
                                          ": want \"dynamic\" or \"manual\"");
        }
        if (r.has("hosts") && !r.any("hosts"))
            l.hosts = std::vector<std::string>{}; // "hosts": null counts as the key
        if (const bj::array* hosts = r.array("hosts")) {
            l.hosts.emplace();
            for (const auto& h : *hosts) {
                if (!h.is_string())
                    return error::bad_request("json: cannot unmarshal " +
                                              std::string(json::kind_name(h)) +
                                              " into an element of specs.hosts of type string");
                l.hosts->emplace_back(h.get_string());
            }
        }
        if (r.failure())
            return *r.failure();
        out.push_back(std::move(l));
    }
    return out;
}

std::vector<field_error> validate(const label_spec& l) {
    std::vector<field_error> errors;
    if (l.name.empty())
        errors.push_back({"name", "label name cannot be empty"});
    check_length(errors, "name", l.name, "label name");
    check_length(errors, "platform", l.platform, "label '" + l.name.substr(0, 64) + "': platform");
    if (l.membership == label_membership::dynamic) {
        if (l.hosts && !l.hosts->empty())
            errors.push_back(
                {"hosts", "label " + l.name + " is declared as dynamic but contains `hosts` key"});
        if (l.query.empty())
            errors.push_back(
                {"query", "label " + l.name + " is dynamic: its query cannot be empty"});
    } else if (!l.hosts) {
        errors.push_back(
            {"hosts", "label " + l.name + " is declared as manual but contains no `hosts key`"});
    }
    if (has_attach(l.query))
        errors.push_back({"query", "label " + l.name + ": ATTACH not allowed in queries"});
    return errors;
}

bool same_definition(const label_spec& a, const label_spec& b) {
    return a.name == b.name && a.description == b.description && a.query == b.query &&
           a.platform == b.platform && a.builtin == b.builtin && a.membership == b.membership;
}

bj::value to_json(const label_spec& l) {
    bj::object o;
    o["id"] = l.id;
    o["name"] = l.name;
    o["description"] = l.description;
    o["query"] = l.query;
    if (!l.platform.empty())
        o["platform"] = l.platform;
    if (l.builtin)
        o["label_type"] = "builtin";
    o["label_membership_type"] = l.membership == label_membership::manual ? "manual" : "dynamic";
    if (!l.builtin && l.membership == label_membership::manual && l.hosts && !l.hosts->empty()) {
        bj::array hosts;
        for (const auto& h : *l.hosts)
            hosts.emplace_back(h);
        o["hosts"] = std::move(hosts);
    }
    return o;
}

bj::object label_response(const label_spec& l) {
    auto o = to_json(l).as_object();
    o["created_at"] = format_rfc3339(l.created_at);
    o["updated_at"] = format_rfc3339(l.updated_at);
    o["platform"] = l.platform;
    o["label_type"] = l.builtin ? "builtin" : "regular";
    o["display_text"] = l.name;
    o["host_ids"] = nullptr;
    return o;
}

} // namespace flotilla
