/// The members of a team: its users (their roles on it) and its hosts
/// (transfers). Declared in service/teams.hpp.

#include "service/authz.hpp"
#include "service/teams.hpp"
#include "storage/store.hpp"

#include <algorithm>

namespace flotilla::service {

namespace {

/// Team `id` if `by` is a global admin or its admin (not_found first).
expected<team> administered(storage::store& st, const user& by, std::int64_t id) {
    auto t = st.team_by_id(id);
    if (!t)
        return t.err();
    if (!authz::role_on_team_in(by, id, {role::admin}))
        return authz::forbidden();
    return t;
}

/// The user's team roles with `team_id`'s set to `r` (nullopt: removed).
std::vector<team_role> with_role(const user& u, std::int64_t team_id, std::optional<role> r) {
    std::vector<team_role> out;
    for (const auto& t : u.teams)
        if (t.team_id != team_id)
            out.push_back(t);
    if (r)
        out.push_back({team_id, "", "", *r});
    return out;
}

/// The team a transfer names exists (nullopt, no team, always does).
expected<void> check_transfer(storage::store& st, const user& by,
                              std::optional<std::int64_t> team_id) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    if (!team_id)
        return {};
    auto t = st.team_by_id(*team_id);
    if (t)
        return {};
    if (t.err().code == errc::not_found)
        return error::invalid("team_id", "team " + std::to_string(*team_id) + " does not exist");
    return t.err();
}

} // namespace

expected<std::vector<user>> team_users(storage::store& st, const user& by, std::int64_t id) {
    auto t = st.team_by_id(id);
    if (!t)
        return t.err();
    if (!authz::role_on_team_in(by, id, {role::admin, role::maintainer, role::observer}))
        return authz::forbidden();
    auto all = st.list_users();
    if (!all)
        return all.err();
    std::vector<user> out;
    for (auto& u : *all)
        if (std::any_of(u.teams.begin(), u.teams.end(),
                        [&](const team_role& r) { return r.team_id == id; }))
            out.push_back(std::move(u));
    return out;
}

expected<team_details> add_team_users(storage::store& st, const user& by, std::int64_t id,
                                      const std::vector<team_member_payload>& members) {
    auto t = administered(st, by, id);
    if (!t)
        return t.err();
    auto done = st.transaction([&]() -> expected<void> {
        std::vector<field_error> errors;
        std::vector<std::pair<user, role>> changes;
        for (const auto& m : members) {
            const std::string who = "user " + std::to_string(m.user_id);
            auto r = role_from_string(m.role);
            auto u = st.user_by_id(m.user_id);
            if (!u && u.err().code != errc::not_found)
                return u.err();
            if (!u)
                errors.push_back({"users", who + " does not exist"});
            else if (u->global_role)
                errors.push_back({"users", who + " has a global role: a user has either a "
                                                 "global role or team roles"});
            if (!r)
                errors.push_back({"users", who + ": role '" + m.role +
                                               "' is not valid: it can only be admin, observer, "
                                               "or maintainer"});
            if (u && r)
                changes.emplace_back(std::move(*u), *r);
        }
        if (!errors.empty())
            return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
        // A user listed twice gets the last role given.
        for (auto& [u, r] : changes) {
            auto current = st.user_by_id(u.id);
            if (!current)
                return current.err();
            if (auto ok = st.set_user_teams(u.id, with_role(*current, id, r)); !ok)
                return ok;
        }
        return {};
    });
    if (!done)
        return done.err();
    return team_by_id(st, by, id); // `by` administers it: they see it
}

expected<team_details> remove_team_users(storage::store& st, const user& by, std::int64_t id,
                                         const std::vector<std::int64_t>& user_ids) {
    auto t = administered(st, by, id);
    if (!t)
        return t.err();
    auto done = st.transaction([&]() -> expected<void> {
        for (auto uid : user_ids) {
            auto u = st.user_by_id(uid);
            if (!u && u.err().code == errc::not_found)
                continue;
            if (!u)
                return u.err();
            if (auto ok = st.set_user_teams(uid, with_role(*u, id, std::nullopt)); !ok)
                return ok;
        }
        return {};
    });
    if (!done)
        return done.err();
    return team_by_id(st, by, id); // `by` administers it: they see it
}

expected<std::vector<std::int64_t>> transfer_hosts(storage::store& st, const user& by,
                                                   std::optional<std::int64_t> team_id,
                                                   const std::vector<std::int64_t>& host_ids,
                                                   micros now) {
    if (auto ok = check_transfer(st, by, team_id); !ok)
        return ok.err();
    return st.set_hosts_team(host_ids, team_id, now);
}

expected<std::vector<std::int64_t>> transfer_hosts_by_filter(storage::store& st, const user& by,
                                                             std::optional<std::int64_t> team_id,
                                                             host_filter f, micros now) {
    if (auto ok = check_transfer(st, by, team_id); !ok)
        return ok.err();
    f.page = 0;
    f.per_page.reset();
    f.order_key.clear();
    auto hosts = list_hosts(st, by, f, now);
    if (!hosts)
        return hosts.err();
    std::vector<std::int64_t> ids;
    ids.reserve(hosts->size());
    for (const auto& h : *hosts)
        ids.push_back(h.id);
    return st.set_hosts_team(ids, team_id, now);
}

} // namespace flotilla::service
