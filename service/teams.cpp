#include "service/teams.hpp"

#include "model/app_config.hpp"
#include "model/secrets.hpp"
#include "model/text.hpp"
#include "service/activities.hpp"
#include "service/authz.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace flotilla::service {

namespace {

/// `t` with its counts (from `sizes`) and its enroll secrets.
expected<team_details> details_of(storage::store& st, team t,
                                  const std::map<std::int64_t, storage::team_size>& sizes) {
    auto secrets = st.team_enroll_secrets(t.id);
    if (!secrets)
        return secrets.err();
    team_details d;
    if (auto s = sizes.find(t.id); s != sizes.end()) {
        d.user_count = s->second.users;
        d.host_count = s->second.hosts;
    }
    d.secrets = std::move(*secrets);
    d.t = std::move(t);
    return d;
}

expected<team_details> details_of(storage::store& st, team t) {
    auto sizes = st.team_sizes();
    if (!sizes)
        return sizes.err();
    return details_of(st, std::move(t), *sizes);
}

/// Team `id` if `by` may act on it with one of `roles` (global or on the team):
/// not_found first, then forbidden.
expected<team> team_for(storage::store& st, const user& by, std::int64_t id,
                        std::initializer_list<role> roles) {
    auto t = st.team_by_id(id);
    if (!t)
        return t.err();
    if (!authz::role_on_team_in(by, id, roles))
        return authz::forbidden();
    return t;
}

constexpr std::initializer_list<role> any_role = {role::admin, role::maintainer, role::observer};

bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(),
                       [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); });
}

/// Field errors of a team's name and description.
std::vector<field_error> check_team_fields(const std::optional<std::string>& name,
                                           const std::optional<std::string>& description) {
    std::vector<field_error> errors;
    if (name && blank(*name))
        errors.push_back({"name", "team name cannot be empty"});
    if (name)
        check_length(errors, "name", *name, "team name");
    if (description)
        check_length(errors, "description", *description, "team description");
    return errors;
}

expected<void> invalid(std::vector<field_error> errors) {
    if (errors.empty())
        return {};
    return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
}

boost::json::object team_activity(const team& t) {
    return {{"team_id", t.id}, {"team_name", t.name}};
}

} // namespace

expected<std::vector<team_details>> list_teams(storage::store& st, const user& by,
                                               const list_options& o) {
    auto all = st.list_teams();
    if (!all)
        return all.err();
    auto sizes = st.team_sizes();
    if (!sizes)
        return sizes.err();
    std::vector<team_details> kept;
    for (auto& t : *all) {
        if (!authz::role_on_team_in(by, t.id, any_role) || !matches_text(o.query, {&t.name}))
            continue;
        auto d = details_of(st, std::move(t), *sizes);
        if (!d)
            return d.err();
        kept.push_back(std::move(*d));
    }
    using td = team_details;
    static const sort_keys<td> keys{{
        {"id", [](const td& a, const td& b) { return a.t.id < b.t.id; }},
        {"name", [](const td& a, const td& b) { return a.t.name < b.t.name; }},
        {"created_at", [](const td& a, const td& b) { return a.t.created_at < b.t.created_at; }},
        {"user_count", [](const td& a, const td& b) { return a.user_count < b.user_count; }},
        {"host_count", [](const td& a, const td& b) { return a.host_count < b.host_count; }},
    }};
    return order_and_page(std::move(kept), o, keys);
}

expected<team_details> team_by_id(storage::store& st, const user& by, std::int64_t id) {
    auto t = team_for(st, by, id, any_role);
    if (!t)
        return t.err();
    return details_of(st, std::move(*t));
}

expected<team_details> create_team(storage::store& st, const user& by, const std::string& name,
                                   const std::string& description, micros now) {
    if (!authz::global_role_in(by, {role::admin}))
        return authz::forbidden();
    if (auto ok = invalid(check_team_fields(name, description)); !ok)
        return ok.err();
    auto cfg = st.load_app_config();
    team t;
    t.name = name;
    t.description = description;
    t.agent_options = cfg ? cfg->agent_options() : default_agent_options();
    team created;
    auto done = st.transaction([&]() -> expected<void> {
        auto inserted = st.new_team(t, {random_base64(24)}, now);
        if (!inserted)
            return inserted.err();
        created = std::move(*inserted);
        return record_activity(st, by, "created_team", team_activity(created), now);
    });
    if (!done)
        return done.err();
    return details_of(st, std::move(created));
}

expected<team_details> modify_team(storage::store& st, const user& by, std::int64_t id,
                                   const std::optional<std::string>& name,
                                   const std::optional<std::string>& description) {
    auto t = team_for(st, by, id, {role::admin});
    if (!t)
        return t.err();
    if (auto ok = invalid(check_team_fields(name, description)); !ok)
        return ok.err();
    t->name = name.value_or(t->name);
    t->description = description.value_or(t->description);
    if (auto r = st.update_team(*t); !r)
        return r.err();
    return details_of(st, std::move(*t));
}

expected<std::vector<std::int64_t>> delete_team(storage::store& st, const user& by, std::int64_t id,
                                                micros now) {
    if (!authz::global_role_in(by, {role::admin}))
        return authz::forbidden();
    std::vector<std::int64_t> moved;
    auto done = st.transaction([&]() -> expected<void> {
        auto t = st.team_by_id(id);
        if (!t)
            return t.err();
        target_selection members;
        members.team_ids = {id};
        auto hosts = st.target_host_ids(members, std::nullopt);
        if (!hosts)
            return hosts.err();
        moved = std::move(*hosts);
        if (auto r = st.delete_team(id); !r)
            return r;
        return record_activity(st, by, "deleted_team", team_activity(*t), now);
    });
    if (!done)
        return done.err();
    return moved;
}

expected<team_details> set_team_agent_options(storage::store& st, const user& by, std::int64_t id,
                                              const boost::json::value& options, micros now) {
    auto t = team_for(st, by, id, {role::admin});
    if (!t)
        return t.err();
    if (!options.is_object())
        return error::invalid("agent_options", "agent_options must be a JSON object");
    t->agent_options = options;
    auto done = st.transaction([&]() -> expected<void> {
        if (auto r = st.update_team(*t); !r)
            return r;
        auto details = team_activity(*t);
        details["global"] = false;
        return record_activity(st, by, "edited_agent_options", std::move(details), now);
    });
    if (!done)
        return done.err();
    return details_of(st, std::move(*t));
}

expected<std::vector<enroll_secret>> team_secrets(storage::store& st, const user& by,
                                                  std::int64_t id) {
    auto t = team_for(st, by, id, {role::admin, role::maintainer});
    if (!t)
        return t.err();
    return st.team_enroll_secrets(id);
}

expected<std::vector<enroll_secret>> replace_team_secrets(storage::store& st, const user& by,
                                                          std::int64_t id,
                                                          const std::vector<std::string>& secrets,
                                                          micros now) {
    auto t = team_for(st, by, id, {role::admin, role::maintainer});
    if (!t)
        return t.err();
    std::vector<field_error> errors;
    for (const auto& s : secrets)
        if (s.empty())
            errors.push_back({"secrets", "enroll secret cannot be empty"});
        else
            check_length(errors, "secrets", s, "enroll secret");
    if (auto ok = invalid(std::move(errors)); !ok)
        return ok.err();
    if (auto r = st.replace_team_enroll_secrets(id, secrets, now); !r)
        return r.err();
    return st.team_enroll_secrets(id);
}

} // namespace flotilla::service
