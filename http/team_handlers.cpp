/// The teams REST routes (fleet-rest.md §5.2), also served as current Fleet's
/// /fleets (§8.2) with the same answers (keys "teams"/"team", which its
/// clients still decode): GET/POST /teams, GET/PATCH/DELETE /teams/{id},
/// POST /teams/{id}/agent_options, GET/PATCH /teams/{id}/secrets and
/// GET/PATCH/DELETE /teams/{id}/users. Decoding and encoding only; the rules are
/// service/teams.hpp. A deleted team's hosts reach the host registry before the
/// answer does.

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/query_params.hpp"
#include "http/team_codec.hpp"
#include "service/teams.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

/// Fleet's team object.
bj::object team_object(const service::team_details& d) {
    bj::array secrets;
    for (const auto& s : d.secrets)
        secrets.push_back(to_json(s));
    return {{"id", d.t.id},
            {"created_at", format_rfc3339(d.t.created_at)},
            {"name", d.t.name},
            {"description", d.t.description},
            {"agent_options", d.t.agent_options ? *d.t.agent_options : bj::value(nullptr)},
            {"user_count", d.user_count},
            {"host_count", d.host_count},
            {"secrets", std::move(secrets)}};
}

response one_team(const expected<service::team_details>& d) {
    if (!d)
        return to_response(d.err());
    return response::json(200, bj::object{{"team", team_object(*d)}});
}

response secrets_response(const expected<std::vector<enroll_secret>>& s) {
    if (!s)
        return to_response(s.err());
    bj::array out;
    for (const auto& e : *s)
        out.push_back(to_json(e));
    return response::json(200, bj::object{{"secrets", std::move(out)}});
}

} // namespace

namespace handlers {

expected<session_job> teams_index(api&, const request& req, const path_params&, const responder&) {
    auto q = query_params::of(req.target);
    if (!q)
        return q.err();
    auto o = q->list_options();
    if (!o)
        return o.err();
    return session_job{[o = std::move(*o)](storage::store& st, const viewer& v) -> response {
        auto teams = service::list_teams(st, v.u, o);
        if (!teams)
            return to_response(teams.err());
        bj::array out;
        for (const auto& d : *teams)
            out.push_back(team_object(d));
        return response::json(200, bj::object{{"teams", std::move(out)}});
    }};
}

expected<session_job> team_show(api&, const request&, const path_params& p, const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer& v) {
        return one_team(service::team_by_id(st, v.u, id));
    }};
}

expected<session_job> create_team(api& a, const request& req, const path_params&,
                                  const responder&) {
    auto body = decode_team_payload(req.body);
    if (!body)
        return body.err();
    return session_job{[&a, b = std::move(*body)](storage::store& st, const viewer& v) {
        return one_team(service::create_team(st, v.u, b.name.value_or(""),
                                             b.description.value_or(""), a.now()));
    }};
}

expected<session_job> modify_team(api&, const request& req, const path_params& p,
                                  const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    auto body = decode_team_payload(req.body);
    if (!body)
        return body.err();
    return session_job{[id = *id, b = std::move(*body)](storage::store& st, const viewer& v) {
        return one_team(service::modify_team(st, v.u, id, b.name, b.description));
    }};
}

expected<session_job> delete_team(api& a, const request&, const path_params& p,
                                  const responder& reply) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[&a, reply, id = *id](storage::store& st, const viewer& v) -> response {
        auto moved = service::delete_team(st, v.u, id, a.now());
        if (!moved)
            return to_response(moved.err());
        a.catalog_changed(st); // its policies are gone
        return after_team_change(a, reply, std::move(*moved), std::nullopt,
                                 response::empty_object());
    }};
}

expected<session_job> team_agent_options(api& a, const request& req, const path_params& p,
                                         const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    auto options = decode_agent_options(req.body);
    if (!options)
        return options.err();
    return session_job{
        [&a, id = *id, o = std::move(*options)](storage::store& st, const viewer& v) {
            return one_team(service::set_team_agent_options(st, v.u, id, o, a.now()));
        }};
}

expected<session_job> team_secrets(api&, const request&, const path_params& p, const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer& v) {
        return secrets_response(service::team_secrets(st, v.u, id));
    }};
}

expected<session_job> modify_team_secrets(api& a, const request& req, const path_params& p,
                                          const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    auto secrets = decode_team_secrets(req.body);
    if (!secrets)
        return secrets.err();
    return session_job{
        [&a, id = *id, s = std::move(*secrets)](storage::store& st, const viewer& v) {
            return secrets_response(service::replace_team_secrets(st, v.u, id, s, a.now()));
        }};
}

expected<session_job> team_users(api&, const request&, const path_params& p, const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer& v) -> response {
        auto users = service::team_users(st, v.u, id);
        if (!users)
            return to_response(users.err());
        bj::array out;
        for (const auto& u : *users)
            out.push_back(to_json(u));
        return response::json(200, bj::object{{"users", std::move(out)}});
    }};
}

expected<session_job> add_team_users(api&, const request& req, const path_params& p,
                                     const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    auto members = decode_team_members(req.body);
    if (!members)
        return members.err();
    return session_job{[id = *id, m = std::move(*members)](storage::store& st, const viewer& v) {
        return one_team(service::add_team_users(st, v.u, id, m));
    }};
}

expected<session_job> remove_team_users(api&, const request& req, const path_params& p,
                                        const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    auto members = decode_team_members(req.body);
    if (!members)
        return members.err();
    std::vector<std::int64_t> ids;
    for (const auto& m : *members)
        ids.push_back(m.user_id);
    return session_job{[id = *id, ids = std::move(ids)](storage::store& st, const viewer& v) {
        return one_team(service::remove_team_users(st, v.u, id, ids));
    }};
}

} // namespace handlers

} // namespace flotilla::http
