#include "http/rest_codec.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <type_traits>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Go's JSON decoding matches keys case-insensitively; login relies on it.
std::optional<std::string> field_ci(const bj::object& o, std::string_view key) {
    for (const auto& kv : o)
        if (lower(std::string(kv.key())) == key && kv.value().is_string())
            return std::string(kv.value().get_string());
    return std::nullopt;
}

/// A list of ints or of strings under `selected`.
template <class T>
expected<std::vector<T>> list_of(const bj::object& selected, std::string_view key) {
    std::vector<T> out;
    const bj::value* v = selected.if_contains(key);
    if (!v || v->is_null())
        return out;
    if (!v->is_array())
        return error::bad_request("selected." + std::string(key) + " must be an array");
    for (const auto& e : v->get_array()) {
        if constexpr (std::is_same_v<T, std::string>) {
            if (!e.is_string())
                return error::bad_request("selected." + std::string(key) + " must hold strings");
            out.emplace_back(e.get_string());
        } else {
            auto id = e.is_int64() || e.is_uint64() ? json::to_int64(e) : std::nullopt;
            if (!id)
                return error::bad_request("selected." + std::string(key) +
                                          " must hold integers of at most 2^63-1");
            out.push_back(*id);
        }
    }
    return out;
}

} // namespace

expected<setup_request> decode_setup(std::string_view body_text) {
    auto body = json::parse_object(body_text);
    if (!body)
        return body.err();
    json::reader r(*body);
    setup_request out;
    out.server_url = r.str("server_url").value_or("");
    if (const bj::object* org = r.object("org_info")) {
        json::reader o(*org, "org_info");
        out.org.org_name = o.str("org_name").value_or("");
        out.org.org_logo_url = o.str("org_logo_url").value_or("");
        if (o.failure())
            return *o.failure();
    }
    if (const bj::object* admin = r.object("admin")) {
        json::reader a(*admin, "admin");
        out.has_admin = true;
        out.email = lower(a.str("email").value_or(""));
        out.password = a.str("password").value_or("");
        out.name = a.str("name").value_or("");
        if (a.failure())
            return *a.failure();
    }
    if (r.failure())
        return *r.failure();
    return out;
}

expected<login_request> decode_login(std::string_view body_text) {
    auto body = json::parse_object(body_text);
    if (!body)
        return body.err();
    return login_request{lower(field_ci(*body, "email").value_or("")),
                         field_ci(*body, "password").value_or("")};
}

expected<run_request> decode_run(std::string_view body_text, bool by_names) {
    auto body = json::parse_object(body_text);
    if (!body)
        return body.err();
    json::reader r(*body);
    run_request out;
    out.sql = r.str("query");
    out.query_id = r.int64("query_id");
    const bj::object* selected = r.object("selected");
    if (r.failure())
        return *r.failure();
    if (selected) {
        if (by_names) {
            auto hosts = list_of<std::string>(*selected, "hosts");
            auto labels = list_of<std::string>(*selected, "labels");
            if (!hosts)
                return hosts.err();
            if (!labels)
                return labels.err();
            out.selected.hostnames = std::move(*hosts);
            out.selected.label_names = std::move(*labels);
        } else {
            auto hosts = list_of<std::int64_t>(*selected, "hosts");
            auto labels = list_of<std::int64_t>(*selected, "labels");
            auto teams = list_of<std::int64_t>(*selected, "teams");
            for (auto* l : {&hosts, &labels, &teams})
                if (!*l)
                    return l->err();
            out.selected.host_ids = std::move(*hosts);
            out.selected.label_ids = std::move(*labels);
            out.selected.team_ids = std::move(*teams);
        }
    }
    return out;
}

expected<std::vector<std::string>> decode_enroll_secrets(const bj::object& body) {
    json::reader r(body);
    const bj::object* spec = r.object("spec");
    if (r.failure())
        return *r.failure();
    if (!spec)
        return error::bad_request("missing required key 'spec'");
    json::reader sr(*spec, "spec");
    std::vector<std::string> out;
    if (const bj::array* secrets = sr.array("secrets")) {
        for (const auto& s : *secrets) {
            const bj::value* v = s.is_object() ? s.get_object().if_contains("secret") : nullptr;
            if (!v || !v->is_string())
                return error::bad_request("json: each element of spec.secrets must be an object "
                                          "with a string \"secret\"");
            out.emplace_back(v->get_string());
        }
    }
    if (sr.failure())
        return *sr.failure();
    return out;
}

} // namespace flotilla::http
