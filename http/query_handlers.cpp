/// The saved query routes (fleet-rest.md §5.3), also spelled as current Fleet's
/// "reports" (§8.2): GET /queries, /queries/{id}, POST /queries,
/// PATCH /queries/{id}, DELETE /queries/{name} and /queries/id/{id},
/// POST /queries/delete. Decoding and encoding only; the rules are
/// service/queries.hpp. The answers keep Fleet's keys ("queries", "query"),
/// which current fleetctl still decodes under either spelling.

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/query_codec.hpp"
#include "http/query_params.hpp"
#include "service/queries.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

response one_query(const expected<query_details>& d) {
    if (!d)
        return to_response(d.err());
    return response::json(200, bj::object{{"query", to_json(*d)}});
}

} // namespace

namespace handlers {

expected<session_job> queries_index(api&, const request& req, const path_params&,
                                    const responder&) {
    auto q = query_params::of(req.target);
    if (!q)
        return q.err();
    auto o = q->list_options();
    if (!o)
        return o.err();
    auto team = q->team_id();
    if (!team)
        return team.err();
    return session_job{
        [o = std::move(*o), team = *team](storage::store& st, const viewer& v) -> response {
            auto list = service::list_saved_queries(st, v.u, o, team);
            if (!list)
                return to_response(list.err());
            bj::array out;
            for (const auto& d : *list)
                out.push_back(to_json(d));
            return response::json(200, bj::object{{"queries", std::move(out)}});
        }};
}

expected<session_job> query_show(api&, const request&, const path_params& p, const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer& v) -> response {
        return one_query(service::saved_query(st, v.u, id));
    }};
}

expected<session_job> create_query(api& a, const request& req, const path_params&,
                                   const responder&) {
    auto payload = decode_query_payload(req.body);
    if (!payload)
        return payload.err();
    return session_job{
        [&a, p = std::move(*payload)](storage::store& st, const viewer& v) -> response {
            return one_query(service::create_saved_query(st, v.u, p, a.now()));
        }};
}

expected<session_job> modify_query(api& a, const request& req, const path_params& params,
                                   const responder&) {
    auto id = path_id(params, "id");
    if (!id)
        return id.err();
    auto payload = decode_query_payload(req.body);
    if (!payload)
        return payload.err();
    return session_job{
        [&a, id = *id, p = std::move(*payload)](storage::store& st, const viewer& v) -> response {
            return one_query(service::modify_saved_query(st, v.u, id, p, a.now()));
        }};
}

expected<session_job> delete_query_by_name(api& a, const request&, const path_params& p,
                                           const responder&) {
    return session_job{[&a, names = name_candidates(p.at("name"))](storage::store& st,
                                                                   const viewer& v) -> response {
        auto done = first_found(names, [&](const std::string& name) {
            return service::delete_saved_query_by_name(st, v.u, name, a.now());
        });
        return done ? response::empty_object() : to_response(done.err());
    }};
}

expected<session_job> delete_query_by_id(api& a, const request&, const path_params& p,
                                         const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[&a, id = *id](storage::store& st, const viewer& v) -> response {
        auto done = service::delete_saved_query(st, v.u, id, a.now());
        return done ? response::empty_object() : to_response(done.err());
    }};
}

expected<session_job> delete_queries(api& a, const request& req, const path_params&,
                                     const responder&) {
    auto ids = decode_query_ids(req.body);
    if (!ids)
        return ids.err();
    return session_job{
        [&a, ids = std::move(*ids)](storage::store& st, const viewer& v) -> response {
            auto n = service::delete_saved_queries(st, v.u, ids, a.now());
            if (!n)
                return to_response(n.err());
            return response::json(200, bj::object{{"deleted", *n}});
        }};
}

} // namespace handlers

} // namespace flotilla::http
