/// POST /api/v1/fleet/targets (the v4.9 UI's target search) and
/// /targets/count (later UIs), fleet-rest.md §6; the rules are service/targets.hpp.

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/rest_codec.hpp"
#include "service/targets.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

bj::object counts_json(const host_counts& c) {
    return bj::object{{"targets_count", c.total},
                      {"targets_online", c.online},
                      {"targets_offline", c.offline},
                      {"targets_missing_in_action", c.missing_in_action}};
}

/// A run body for targets: every id (query_id, selected hosts, labels, teams) positive.
expected<run_request> decode_targets(const request& req) {
    auto decoded = decode_run(req.body, false);
    if (!decoded)
        return decoded;
    auto positive = [](const char* what, std::int64_t id) -> expected<void> {
        if (id < 1)
            return error::bad_request(std::string("invalid ") + what + " " + std::to_string(id));
        return {};
    };
    if (decoded->query_id)
        if (auto ok = positive("query_id", *decoded->query_id); !ok)
            return ok.err();
    const auto& sel = decoded->selected;
    for (const auto* ids : {&sel.host_ids, &sel.label_ids, &sel.team_ids})
        for (auto id : *ids)
            if (auto ok = positive("selected id", id); !ok)
                return ok.err();
    return decoded;
}

} // namespace

expected<session_job> handlers::search_targets(api& a, const request& req, const path_params&,
                                               const responder&) {
    // The body is a run's: `query` (here the search text), `query_id`, `selected` ids.
    auto decoded = decode_targets(req);
    if (!decoded)
        return decoded.err();
    return session_job{[&a, text = decoded->sql.value_or(""),
                        selected = decoded->selected](storage::store& st, const viewer& v) {
        const auto now = a.now();
        auto found = service::search_targets(st, v.u, text, selected, now);
        if (!found)
            return to_response(found.err());
        bj::array hosts, labels, teams;
        for (const auto& h : found->hosts)
            hosts.push_back(host_response(h, now, std::nullopt));
        for (const auto& [l, n] : found->labels) {
            auto o = label_response(l);
            o["count"] = n;
            labels.push_back(std::move(o));
        }
        for (const auto& [t, n] : found->teams)
            teams.push_back(bj::object{{"id", t.id},
                                       {"name", t.name},
                                       {"description", t.description},
                                       {"user_count", 0},
                                       {"host_count", n},
                                       {"display_text", t.name},
                                       {"count", n}});
        auto out = counts_json(found->selected);
        out["targets"] = bj::object{{"hosts", std::move(hosts)},
                                    {"labels", std::move(labels)},
                                    {"teams", std::move(teams)}};
        return response::json(200, out);
    }};
}

expected<session_job> handlers::count_targets(api& a, const request& req, const path_params&,
                                              const responder&) {
    auto decoded = decode_targets(req);
    if (!decoded)
        return decoded.err();
    return session_job{[&a, selected = decoded->selected](storage::store& st, const viewer& v) {
        auto c = service::count_targets(st, v.u, selected, a.now());
        return c ? response::json(200, counts_json(*c)) : to_response(c.err());
    }};
}

} // namespace flotilla::http
