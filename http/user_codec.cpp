#include "http/user_codec.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

/// `teams: [{"id": N, "role": "..."}]`, or null.
expected<std::optional<std::vector<service::team_role_payload>>> team_roles(const bj::value* v) {
    if (!v || v->is_null())
        return std::optional<std::vector<service::team_role_payload>>{};
    if (!v->is_array())
        return error::bad_request("json: teams must be an array");
    std::vector<service::team_role_payload> out;
    for (const auto& e : v->get_array()) {
        if (!e.is_object())
            return error::bad_request("json: each element of teams must be an object");
        json::reader t(e.get_object(), "teams");
        auto id = t.int64("id");
        auto role = t.str("role");
        if (t.failure())
            return *t.failure();
        if (!id || *id <= 0)
            return error::bad_request("json: each element of teams needs a positive integer id");
        out.push_back({*id, role.value_or("")});
    }
    return std::optional<std::vector<service::team_role_payload>>{std::move(out)};
}

} // namespace

expected<service::user_payload> decode_user_payload(std::string_view body_text, bool creating) {
    auto body = json::parse_object(body_text);
    if (!body)
        return body.err();
    json::reader r(*body);
    service::user_payload p;
    p.name = r.str("name");
    p.email = r.str("email");
    p.position = r.str("position");
    p.password = r.str("password");
    p.new_password = r.str("new_password");
    p.sso_enabled = r.boolean("sso_enabled");
    p.api_only = r.boolean("api_only");
    if (creating)
        p.force_password_reset = r.boolean("admin_forced_password_reset");
    p.has_global_role = r.has("global_role");
    p.global_role = r.str("global_role");
    p.has_invite_token = r.str("invite_token").has_value();
    if (r.failure())
        return *r.failure();
    auto teams = team_roles(r.any("teams"));
    if (!teams)
        return teams.err();
    p.teams = std::move(*teams);
    return p;
}

expected<password_change> decode_password_change(std::string_view body_text) {
    auto body = json::parse_object(body_text);
    if (!body)
        return body.err();
    json::reader r(*body);
    password_change out{r.str("old_password").value_or(""), r.str("new_password").value_or("")};
    if (r.failure())
        return *r.failure();
    return out;
}

expected<bool> decode_require_reset(std::string_view body_text) {
    auto body = json::parse_object(body_text);
    if (!body)
        return body.err();
    json::reader r(*body);
    auto require = r.boolean("require");
    if (r.failure())
        return *r.failure();
    return require.value_or(false);
}

expected<service::user_roles_spec> decode_user_roles_spec(std::string_view body_text) {
    auto body = json::parse_object(body_text);
    if (!body)
        return body.err();
    json::reader r(*body);
    const bj::object* spec = r.object("spec");
    if (r.failure())
        return *r.failure();
    if (!spec)
        return error::bad_request("missing required key 'spec'");
    json::reader sr(*spec, "spec");
    const bj::object* roles = sr.object("roles");
    if (sr.failure())
        return *sr.failure();
    service::user_roles_spec out;
    if (!roles)
        return out;
    for (const auto& [email, entry] : *roles) {
        if (!entry.is_object())
            return error::bad_request("json: spec.roles." + std::string(email) +
                                      " must be an object");
        json::reader er(entry.get_object(), "spec.roles");
        service::user_roles_spec::entry e;
        e.global_role = er.str("global_role");
        // Current fleetctl may call teams "fleets" (and each "team" a "fleet").
        const bj::array* teams = er.array("teams");
        if (!teams)
            teams = er.array("fleets");
        if (teams) {
            for (const auto& t : *teams) {
                if (!t.is_object())
                    return error::bad_request("json: each element of spec.roles." +
                                              std::string(email) + ".teams must be an object");
                json::reader tr(t.get_object(), "teams");
                auto name = tr.str("team");
                if (!name)
                    name = tr.str("fleet");
                e.teams.push_back({name.value_or(""), tr.str("role").value_or("")});
                if (tr.failure())
                    return *tr.failure();
            }
        }
        if (er.failure())
            return *er.failure();
        out.roles[std::string(email)] = std::move(e);
    }
    return out;
}

} // namespace flotilla::http
