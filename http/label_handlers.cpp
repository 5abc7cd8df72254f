/// The labels REST routes (fleet-rest.md §5.1): GET /labels, /labels/{id},
/// POST /labels, PATCH /labels/{id}, DELETE /labels/{name} and
/// /labels/id/{id}. Decoding and encoding only; the rules are service/labels.hpp.
/// Every change reaches the host registry before it is answered.

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/query_params.hpp"
#include "model/json.hpp"
#include "service/labels.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

bj::object label_object(const label_spec& l, const std::map<std::int64_t, std::int64_t>& counts) {
    auto o = label_response(l);
    auto c = counts.find(l.id);
    o["count"] = c == counts.end() ? 0 : c->second;
    return o;
}

response one_label(storage::store& st, const label_spec& l) {
    auto counts = st.label_host_counts();
    if (!counts)
        return to_response(counts.err());
    return response::json(200, bj::object{{"label", label_object(l, *counts)}});
}

/// `{name, query, description, platform}` of POST /labels.
expected<label_spec> decode_new_label(std::string_view text) {
    auto body = json::parse_object(text);
    if (!body)
        return body.err();
    json::reader r(*body);
    label_spec l;
    l.name = r.str("name").value_or("");
    l.query = r.str("query").value_or("");
    l.description = r.str("description").value_or("");
    l.platform = r.str("platform").value_or("");
    if (r.failure())
        return *r.failure();
    return l;
}

struct label_change {
    std::optional<std::string> name, description;
};

expected<label_change> decode_label_change(std::string_view text) {
    auto body = json::parse_object(text);
    if (!body)
        return body.err();
    json::reader r(*body);
    label_change c{r.str("name"), r.str("description")};
    if (r.failure())
        return *r.failure();
    return c;
}

} // namespace

namespace handlers {

expected<session_job> labels_index(api&, const request& req, const path_params&, const responder&) {
    auto q = query_params::of(req.target);
    if (!q)
        return q.err();
    auto o = q->list_options();
    if (!o)
        return o.err();
    return session_job{[o = std::move(*o)](storage::store& st, const viewer&) -> response {
        auto list = service::list_labels(st, o);
        if (!list)
            return to_response(list.err());
        bj::array out;
        for (const auto& l : list->labels)
            out.push_back(label_object(l, list->counts));
        return response::json(200, bj::object{{"labels", std::move(out)}});
    }};
}

expected<session_job> label_show(api&, const request&, const path_params& p, const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer&) -> response {
        auto l = st.label_by_id(id);
        if (!l)
            return to_response(l.err());
        return one_label(st, *l);
    }};
}

expected<session_job> create_label(api& a, const request& req, const path_params&,
                                   const responder&) {
    auto spec = decode_new_label(req.body);
    if (!spec)
        return spec.err();
    return session_job{
        [&a, spec = std::move(*spec)](storage::store& st, const viewer& v) -> response {
            auto l = service::create_label(st, v.u, spec, a.now());
            if (!l)
                return to_response(l.err());
            a.catalog_changed(st);
            return one_label(st, *l);
        }};
}

expected<session_job> modify_label(api& a, const request& req, const path_params& p,
                                   const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    auto change = decode_label_change(req.body);
    if (!change)
        return change.err();
    return session_job{
        [&a, id = *id, c = std::move(*change)](storage::store& st, const viewer& v) -> response {
            auto l = service::modify_label(st, v.u, id, c.name, c.description, a.now());
            if (!l)
                return to_response(l.err());
            return one_label(st, *l);
        }};
}

expected<session_job> delete_label_by_name(api& a, const request&, const path_params& p,
                                           const responder&) {
    return session_job{[&a, names = name_candidates(p.at("name"))](storage::store& st,
                                                                   const viewer& v) -> response {
        auto id = first_found(
            names, [&](const std::string& n) { return service::label_id_by_name(st, n); });
        if (!id)
            return to_response(id.err());
        if (auto r = service::delete_label(st, v.u, *id, a.now()); !r)
            return to_response(r.err());
        a.catalog_changed(st);
        return response::empty_object();
    }};
}

expected<session_job> delete_label_by_id(api& a, const request&, const path_params& p,
                                         const responder&) {
    auto id = path_id(p, "id");
    if (!id)
        return id.err();
    return session_job{[&a, id = *id](storage::store& st, const viewer& v) -> response {
        if (auto r = service::delete_label(st, v.u, id, a.now()); !r)
            return to_response(r.err());
        a.catalog_changed(st);
        return response::empty_object();
    }};
}

} // namespace handlers

} // namespace flotilla::http
