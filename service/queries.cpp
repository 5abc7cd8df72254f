#include "service/queries.hpp"

#include "model/text.hpp"
#include "service/activities.hpp"
#include "service/authz.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <map>

namespace flotilla::service {

namespace {

/// Global admins and maintainers, team admins and maintainers: they write
/// queries (team users only their own, may_modify).
bool may_write_queries(const user& u) {
    return authz::global_writer(u) || authz::any_team_role_in(u, {role::admin, role::maintainer});
}

bool may_modify(const user& u, const query& q) {
    if (authz::global_writer(u))
        return true;
    return authz::any_team_role_in(u, {role::admin, role::maintainer}) && q.author_id &&
           *q.author_id == u.id;
}

/// The field errors of the fields `p` gives; name and query are required when
/// `creating`.
std::vector<field_error> payload_errors(const query_payload& p, bool creating) {
    std::vector<field_error> errors;
    if (p.name || creating) {
        const std::string name = p.name.value_or("");
        if (is_blank(name))
            errors.push_back({"name", "query name cannot be empty"});
        check_length(errors, "name", name, "query name");
    }
    if (p.sql || creating) {
        const std::string sql = p.sql.value_or("");
        if (is_blank(sql))
            errors.push_back({"query", "query SQL cannot be empty"});
        else if (has_attach(sql))
            errors.push_back({"query", "ATTACH not allowed in queries"});
    }
    return errors;
}

error name_taken(const std::string& name) {
    return {errc::already_exists,
            "Resource Already Exists",
            {{"name", "a query named '" + name + "' already exists"}}};
}

/// already_exists when another query (saved or ad-hoc) has `name`.
expected<void> check_name_free(storage::store& st, const std::string& name,
                               std::int64_t except_id) {
    auto other = st.query_by_name(name);
    if (other && other->id != except_id)
        return name_taken(name);
    if (!other && other.err().code != errc::not_found)
        return other.err();
    return {};
}

/// Deletes one saved query `by` may delete, with its activity (in the caller's
/// transaction).
expected<void> delete_one(storage::store& st, const user& by, const query_details& d, micros now) {
    if (!may_modify(by, d.q))
        return authz::forbidden();
    auto n = st.delete_saved_queries({d.q.id});
    if (!n)
        return n.err();
    return record_activity(st, by, "deleted_saved_query", {{"query_name", d.q.name}}, now);
}

} // namespace

bool sees_only_observer_queries(const user& u) {
    if (u.global_role)
        return *u.global_role == role::observer;
    return std::all_of(u.teams.begin(), u.teams.end(),
                       [](const team_role& t) { return t.team_role_value == role::observer; });
}

expected<std::vector<query_details>> list_saved_queries(storage::store& st, const user& by,
                                                        const list_options& o,
                                                        std::optional<std::int64_t> team_id) {
    if (team_id && *team_id != 0) {
        auto t = st.team_by_id(*team_id);
        if (!t)
            return t.err();
    }
    auto all = st.saved_query_details();
    if (!all)
        return all.err();
    const bool observer_only = sees_only_observer_queries(by);
    std::vector<query_details> kept;
    for (auto& d : *all)
        if ((!observer_only || d.q.observer_can_run) && matches_text(o.query, {&d.q.name}))
            kept.push_back(std::move(d));
    using qd = query_details;
    static const sort_keys<query_details> keys{{
        {"id", [](const qd& a, const qd& b) { return a.q.id < b.q.id; }},
        {"name", [](const qd& a, const qd& b) { return a.q.name < b.q.name; }},
        {"description", [](const qd& a, const qd& b) { return a.q.description < b.q.description; }},
        {"query", [](const qd& a, const qd& b) { return a.q.sql < b.q.sql; }},
        {"created_at", [](const qd& a, const qd& b) { return a.q.created_at < b.q.created_at; }},
        {"updated_at", [](const qd& a, const qd& b) { return a.q.updated_at < b.q.updated_at; }},
        {"observer_can_run",
         [](const qd& a, const qd& b) { return a.q.observer_can_run < b.q.observer_can_run; }},
        {"author_name", [](const qd& a, const qd& b) { return a.author_name < b.author_name; }},
        {"author_email", [](const qd& a, const qd& b) { return a.author_email < b.author_email; }},
    }};
    return order_and_page(std::move(kept), o, keys);
}

expected<query_details> saved_query(storage::store& st, const user& by, std::int64_t id) {
    auto d = st.saved_query_details_by_id(id);
    if (!d)
        return d.err();
    if (sees_only_observer_queries(by) && !d->q.observer_can_run)
        return error::not_found("Query", std::to_string(id));
    return d;
}

expected<query_details> create_saved_query(storage::store& st, const user& by,
                                           const query_payload& p, micros now) {
    if (!may_write_queries(by))
        return authz::forbidden();
    if (auto errors = payload_errors(p, true); !errors.empty())
        return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
    query q;
    q.name = *p.name;
    q.description = p.description.value_or("");
    q.sql = *p.sql;
    q.observer_can_run = p.observer_can_run.value_or(false);
    q.author_id = by.id;
    expected<query_details> out = error::backend("no query");
    auto done = st.transaction([&]() -> expected<void> {
        if (auto free = check_name_free(st, q.name, 0); !free)
            return free;
        auto id = st.new_saved_query(q, now);
        if (!id)
            return id.err();
        if (auto r = record_activity(st, by, "created_saved_query",
                                     {{"query_id", *id}, {"query_name", q.name}}, now);
            !r)
            return r;
        out = st.saved_query_details_by_id(*id);
        return out ? expected<void>{} : out.err();
    });
    if (!done)
        return done.err();
    return out;
}

expected<query_details> modify_saved_query(storage::store& st, const user& by, std::int64_t id,
                                           const query_payload& p, micros now) {
    if (!may_write_queries(by))
        return authz::forbidden();
    if (auto errors = payload_errors(p, false); !errors.empty())
        return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
    expected<query_details> out = error::backend("no query");
    auto done = st.transaction([&]() -> expected<void> {
        auto d = st.saved_query_details_by_id(id);
        if (!d)
            return d.err();
        if (!may_modify(by, d->q))
            return authz::forbidden();
        query q = d->q;
        q.name = p.name.value_or(q.name);
        q.description = p.description.value_or(q.description);
        q.sql = p.sql.value_or(q.sql);
        q.observer_can_run = p.observer_can_run.value_or(q.observer_can_run);
        if (q.name != d->q.name)
            if (auto free = check_name_free(st, q.name, id); !free)
                return free;
        if (auto r = st.update_saved_query(q, now); !r)
            return r;
        if (auto r = record_activity(st, by, "edited_saved_query",
                                     {{"query_id", id}, {"query_name", q.name}}, now);
            !r)
            return r;
        out = st.saved_query_details_by_id(id);
        return out ? expected<void>{} : out.err();
    });
    if (!done)
        return done.err();
    return out;
}

expected<void> delete_saved_query(storage::store& st, const user& by, std::int64_t id, micros now) {
    if (!may_write_queries(by))
        return authz::forbidden();
    return st.transaction([&]() -> expected<void> {
        auto d = st.saved_query_details_by_id(id);
        if (!d)
            return d.err();
        return delete_one(st, by, *d, now);
    });
}

expected<void> delete_saved_query_by_name(storage::store& st, const user& by,
                                          const std::string& name, micros now) {
    if (!may_write_queries(by))
        return authz::forbidden();
    return st.transaction([&]() -> expected<void> {
        auto q = st.query_by_name(name);
        if (!q)
            return q.err();
        if (!q->saved) // a live query's ad-hoc SQL is not a saved query
            return error::not_found("Query", name);
        auto d = st.saved_query_details_by_id(q->id);
        if (!d)
            return d.err();
        return delete_one(st, by, *d, now);
    });
}

expected<std::int64_t> delete_saved_queries(storage::store& st, const user& by,
                                            const std::vector<std::int64_t>& ids, micros now) {
    if (!may_write_queries(by))
        return authz::forbidden();
    if (ids.empty())
        return std::int64_t{0};
    std::int64_t deleted = 0;
    auto done = st.transaction([&]() -> expected<void> {
        auto all = st.saved_query_details();
        if (!all)
            return all.err();
        std::map<std::int64_t, const query*> saved;
        for (const auto& d : *all)
            saved.emplace(d.q.id, &d.q);
        for (auto id : ids) {
            auto found = saved.find(id);
            if (found == saved.end())
                return error::not_found("Query", std::to_string(id));
            if (!may_modify(by, *found->second))
                return authz::forbidden();
        }
        auto n = st.delete_saved_queries(ids);
        if (!n)
            return n.err();
        deleted = *n;
        boost::json::array listed;
        for (auto id : ids)
            listed.emplace_back(id);
        return record_activity(st, by, "deleted_multiple_saved_query",
                               {{"query_ids", std::move(listed)}}, now);
    });
    if (!done)
        return done.err();
    return deleted;
}

} // namespace flotilla::service
