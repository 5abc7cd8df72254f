#include "service/users.hpp"

#include "model/text.hpp"
#include "service/activities.hpp"
#include "service/authz.hpp"
#include "service/listing.hpp"
#include "storage/store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace flotilla::service {

namespace {

/// A role word, or the field error Fleet gives for another.
std::optional<role> parse_role(const std::string& word, const std::string& field,
                               std::vector<field_error>& errors) {
    auto r = role_from_string(word);
    if (!r)
        errors.push_back({field, "role '" + word +
                                     "' is not valid: it can only be admin, observer, or "
                                     "maintainer"});
    return r;
}

/// May `actor` give (or hold over) a user with these roles? Global admins
/// always; team admins only over users whose every role is a team role on a
/// team they administer.
bool may_write_roles(const user& actor, const std::optional<role>& global,
                     const std::vector<team_role>& teams) {
    if (authz::global_role_in(actor, {role::admin}))
        return true;
    if (actor.global_role || global || teams.empty())
        return false;
    return std::all_of(teams.begin(), teams.end(), [&](const team_role& t) {
        return authz::role_on_team_in(actor, t.team_id, {role::admin});
    });
}

/// Resolves team roles by id (unknown team → a field error); fills names.
std::vector<team_role> resolve_team_roles(storage::store& st,
                                          const std::vector<team_role_payload>& in,
                                          std::vector<field_error>& errors,
                                          std::optional<error>& fault) {
    std::vector<team_role> out;
    for (const auto& t : in) {
        auto r = parse_role(t.role, "teams", errors);
        auto team = st.team_by_id(t.team_id);
        if (!team) {
            if (team.err().code == errc::not_found)
                errors.push_back(
                    {"teams", "team " + std::to_string(t.team_id) + " does not exist"});
            else
                fault = team.err();
            continue;
        }
        if (!r)
            continue;
        if (std::any_of(out.begin(), out.end(),
                        [&](const team_role& o) { return o.team_id == t.team_id; })) {
            errors.push_back({"teams", "team " + std::to_string(t.team_id) + " is listed twice"});
            continue;
        }
        out.push_back({team->id, team->name, team->description, *r});
    }
    return out;
}

void check_name_and_email(const user_payload& p, bool creating, std::vector<field_error>& errors) {
    if (creating && !p.name)
        errors.push_back({"name", "Full name missing required argument"});
    else if (p.name && p.name->empty())
        errors.push_back({"name", "Full name cannot be empty"});
    if (creating && !p.email)
        errors.push_back({"email", "Email missing required argument"});
    else if (p.email && p.email->empty())
        errors.push_back({"email", "Email cannot be empty"});
    else if (p.email && p.email->find('@') == std::string::npos)
        errors.push_back({"email", "'" + *p.email + "' is not a valid email address"});
    if (p.name)
        check_length(errors, "name", *p.name, "name");
    if (p.email)
        check_length(errors, "email", *p.email, "email");
    if (p.position)
        check_length(errors, "position", *p.position, "position");
}

error invalid(std::vector<field_error> errors) {
    return {errc::invalid_argument, "Validation Failed", std::move(errors)};
}

/// Inside a transaction, after a change: at least one global admin remains.
expected<void> an_admin_remains(storage::store& st, const std::string& field,
                                const std::string& what) {
    auto users = st.list_users();
    if (!users)
        return users.err();
    if (std::any_of(users->begin(), users->end(),
                    [](const user& u) { return u.global_role == role::admin; }))
        return {};
    return error::invalid(field, what);
}

boost::json::object user_details(const user& u) {
    return {{"user_id", u.id}, {"user_name", u.name}, {"user_email", u.email}};
}

} // namespace

expected<user> check_new_user(storage::store& st, const user& actor, const user_payload& p) {
    std::vector<field_error> errors;
    check_name_and_email(p, true, errors);
    const bool sso = p.sso_enabled.value_or(false);
    if (p.has_invite_token)
        errors.push_back(
            {"invite_token", "Invite token should not be specified with admin user creation"});
    if (sso && p.password && !p.password->empty())
        errors.push_back({"password", "not allowed for SSO users"});
    else if (!sso && !p.password)
        errors.push_back({"password", "Password missing required argument"});
    else if (!sso && p.password->empty())
        errors.push_back({"password", "Password cannot be empty"});
    const bool has_teams = p.teams && !p.teams->empty();
    if (p.global_role && has_teams)
        errors.push_back({"global_role", "Cannot specify both Global Role and Team Roles"});
    else if (!p.global_role && !has_teams)
        errors.push_back({"base", "either global role or team role needs to be defined"});
    user u;
    if (p.global_role)
        u.global_role = parse_role(*p.global_role, "global_role", errors);
    std::optional<error> fault;
    if (p.teams)
        u.teams = resolve_team_roles(st, *p.teams, errors, fault);
    if (fault)
        return *fault;
    // Permission before validation details: a caller who may not create users
    // learns nothing from the field errors.
    if (!may_write_roles(actor, u.global_role, u.teams))
        return authz::forbidden();
    if (!errors.empty())
        return invalid(std::move(errors));
    u.name = *p.name;
    u.email = lower(*p.email);
    u.position = p.position.value_or("");
    u.sso_enabled = sso;
    u.api_only = p.api_only.value_or(false);
    // Fleet requires users an admin creates to choose their own password first.
    u.force_password_reset = p.force_password_reset.value_or(true);
    return u;
}

expected<user> create_user(storage::store& st, const user& actor, user u, micros now) {
    user created;
    auto done = st.transaction([&]() -> expected<void> {
        auto teams = u.teams;
        auto c = st.new_user(u, now);
        if (!c)
            return c.err();
        if (auto r = st.set_user_teams(c->id, teams); !r)
            return r;
        created = *c;
        created.teams = std::move(teams);
        return record_activity(st, actor, "created_user", user_details(created), now);
    });
    if (!done)
        return done.err();
    return created;
}

expected<std::vector<user>> list_users(storage::store& st, const list_options& o,
                                       std::optional<std::int64_t> team_id) {
    auto all = st.list_users();
    if (!all)
        return all.err();
    std::vector<user> kept;
    for (auto& u : *all) {
        if (!matches_text(o.query, {&u.name, &u.email}))
            continue;
        if (team_id && std::none_of(u.teams.begin(), u.teams.end(),
                                    [&](const team_role& t) { return t.team_id == *team_id; }))
            continue;
        kept.push_back(std::move(u));
    }
    static const sort_keys<user> keys{{
        {"id", [](const user& a, const user& b) { return a.id < b.id; }},
        {"name", [](const user& a, const user& b) { return a.name < b.name; }},
        {"email", [](const user& a, const user& b) { return a.email < b.email; }},
        {"created_at", [](const user& a, const user& b) { return a.created_at < b.created_at; }},
        {"updated_at", [](const user& a, const user& b) { return a.updated_at < b.updated_at; }},
    }};
    return order_and_page(std::move(kept), o, keys);
}

expected<user_change_plan> plan_user_change(storage::store& st, const viewer& v, std::int64_t id,
                                            const user_payload& p) {
    auto target = st.user_by_id(id);
    if (!target)
        return target.err();
    const bool self = v.u.id == id;
    const bool roles_change = p.has_global_role || p.teams.has_value();
    // Everyone edits their own profile; only those who may write the user's
    // roles edit anyone else's, and changing roles needs that even for oneself.
    if ((!self || roles_change || p.api_only || p.sso_enabled || p.force_password_reset) &&
        !may_write_roles(v.u, target->global_role, target->teams))
        return authz::forbidden();
    std::vector<field_error> errors;
    check_name_and_email(p, false, errors);
    if (p.has_invite_token)
        errors.push_back(
            {"invite_token", "Invite token cannot be specified when modifying a user"});
    if (p.new_password && p.new_password->empty())
        errors.push_back({"new_password", "New password cannot be empty"});
    else if (p.new_password && self)
        if (auto e = password_rule_error("new_password", *p.new_password))
            errors.push_back(*e);
    const bool has_teams = p.teams && !p.teams->empty();
    if (p.global_role && has_teams)
        errors.push_back({"global_role", "Cannot specify both Global Role and Team Roles"});
    std::optional<role> global;
    if (p.global_role)
        global = parse_role(*p.global_role, "global_role", errors);
    std::vector<team_role> teams;
    std::optional<error> fault;
    if (p.teams)
        teams = resolve_team_roles(st, *p.teams, errors, fault);
    if (fault)
        return *fault;
    if (roles_change) {
        // The roles the user ends with: a global role replaces team roles and
        // the reverse; clearing both leaves the user with no role.
        const auto end_global =
            p.has_global_role ? global : (has_teams ? std::nullopt : target->global_role);
        const auto& end_teams =
            p.teams ? teams : (p.global_role ? std::vector<team_role>{} : target->teams);
        if (errors.empty() && !end_global && end_teams.empty())
            errors.push_back({"base", "either global role or team role needs to be defined"});
        if (self && !authz::global_role_in(v.u, {role::admin}))
            return authz::forbidden();
        if (!may_write_roles(v.u, end_global, end_teams))
            return authz::forbidden();
    }
    const bool email_change = p.email && lower(*p.email) != target->email;
    if (self && email_change && (!p.password || p.password->empty()))
        errors.push_back({"password", "Password cannot be empty if email is changed"});
    else if (self && p.new_password && (!p.password || p.password->empty()))
        errors.push_back({"password", "Old password cannot be empty"});
    else if (self && p.new_password && p.password == p.new_password)
        errors.push_back({"new_password", "Cannot reuse old password"});
    if (!errors.empty())
        return invalid(std::move(errors));
    return user_change_plan{std::move(*target), self && (email_change || p.new_password)};
}

expected<user> apply_user_change(storage::store& st, const viewer& v, std::int64_t id,
                                 const user_payload& p,
                                 const std::optional<std::string>& new_password_hash, micros now) {
    user out;
    auto done = st.transaction([&]() -> expected<void> {
        auto plan = plan_user_change(st, v, id, p);
        if (!plan)
            return plan.err();
        user u = std::move(plan->target);
        if (p.name)
            u.name = *p.name;
        if (p.email)
            u.email = lower(*p.email);
        if (p.position)
            u.position = *p.position;
        if (p.sso_enabled)
            u.sso_enabled = *p.sso_enabled;
        if (p.api_only)
            u.api_only = *p.api_only;
        if (p.force_password_reset)
            u.force_password_reset = *p.force_password_reset;
        if (new_password_hash)
            u.password_hash = *new_password_hash;
        const bool has_teams = p.teams && !p.teams->empty();
        std::vector<field_error> ignored;
        std::optional<error> fault;
        if (p.has_global_role) {
            u.global_role = p.global_role ? role_from_string(*p.global_role) : std::nullopt;
            if (u.global_role)
                u.teams.clear();
        }
        if (p.teams) {
            u.teams = resolve_team_roles(st, *p.teams, ignored, fault);
            if (fault)
                return *fault;
            if (has_teams)
                u.global_role.reset();
        }
        auto teams = u.teams;
        auto saved = st.update_user(u, now);
        if (!saved)
            return saved.err();
        if (p.has_global_role || p.teams)
            if (auto r = st.set_user_teams(u.id, teams); !r)
                return r;
        if (new_password_hash) {
            // A password set by someone else ends every session of the user.
            auto ended = st.delete_user_sessions(u.id, v.u.id == u.id ? v.s.id : 0);
            if (!ended)
                return ended.err();
        }
        out = std::move(*saved);
        out.teams = std::move(teams);
        if (p.has_global_role || p.teams)
            return an_admin_remains(st, "global_role", "cannot demote the last global admin");
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

expected<void> delete_user(storage::store& st, const user& actor, std::int64_t id, micros now) {
    return st.transaction([&]() -> expected<void> {
        auto target = st.user_by_id(id);
        if (!target)
            return target.err();
        if (actor.id != id && !may_write_roles(actor, target->global_role, target->teams))
            return authz::forbidden();
        if (auto r = st.delete_user(id); !r)
            return r;
        if (auto r = an_admin_remains(st, "id", "cannot delete the last global admin"); !r)
            return r;
        return record_activity(st, actor, "deleted_user", user_details(*target), now);
    });
}

expected<user> perform_required_reset(storage::store& st, const viewer& v,
                                      const std::string& new_hash, micros now) {
    user out;
    auto done = st.transaction([&]() -> expected<void> {
        auto u = st.user_by_id(v.u.id);
        if (!u)
            return u.err();
        if (!u->force_password_reset || u->sso_enabled)
            return error{errc::permission_denied,
                         "Permission Denied",
                         {{"base", "cannot reset password: no reset is required"}}};
        u->password_hash = new_hash;
        u->force_password_reset = false;
        auto saved = st.update_user(*u, now);
        if (!saved)
            return saved.err();
        out = std::move(*saved);
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

std::optional<field_error> password_rule_error(const std::string& field,
                                               const std::string& password) {
    bool digit = false, symbol = false;
    for (unsigned char c : password) {
        digit = digit || std::isdigit(c);
        symbol = symbol || std::ispunct(c);
    }
    if (password.size() >= 7 && digit && symbol)
        return std::nullopt;
    return field_error{field, "Password does not meet validation requirements"};
}

std::vector<field_error> validate_password_change(const std::string& old_password,
                                                  const std::string& new_password) {
    std::vector<field_error> errors;
    if (old_password.empty())
        errors.push_back({"old_password", "Old password cannot be empty"});
    if (new_password.empty())
        errors.push_back({"new_password", "New password cannot be empty"});
    else if (auto e = password_rule_error("new_password", new_password))
        errors.push_back(*e);
    else if (new_password == old_password)
        errors.push_back({"new_password", "cannot reuse old password"});
    return errors;
}

expected<void> change_password(storage::store& st, const viewer& v, const std::string& new_hash,
                               micros now) {
    return st.transaction([&]() -> expected<void> {
        auto u = st.user_by_id(v.u.id);
        if (!u)
            return u.err();
        u->password_hash = new_hash;
        u->force_password_reset = false;
        if (auto saved = st.update_user(*u, now); !saved)
            return saved.err();
        auto ended = st.delete_user_sessions(v.u.id, v.s.id);
        if (!ended)
            return ended.err();
        return {};
    });
}

expected<user> require_password_reset(storage::store& st, const user& actor, std::int64_t id,
                                      bool require, micros now) {
    user out;
    auto done = st.transaction([&]() -> expected<void> {
        auto u = st.user_by_id(id);
        if (!u)
            return u.err();
        if (!may_write_roles(actor, u->global_role, u->teams))
            return authz::forbidden();
        u->force_password_reset = require;
        auto saved = st.update_user(*u, now);
        if (!saved)
            return saved.err();
        if (require)
            if (auto ended = st.delete_user_sessions(id, 0); !ended)
                return ended.err();
        out = std::move(*saved);
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

expected<void> apply_user_roles(storage::store& st, const user& actor, const user_roles_spec& s,
                                micros now) {
    if (!authz::global_role_in(actor, {role::admin}))
        return authz::forbidden();
    return st.transaction([&]() -> expected<void> {
        std::vector<field_error> errors;
        std::vector<std::pair<user, std::vector<team_role>>> changes;
        for (const auto& [email, entry] : s.roles) {
            auto u = st.user_by_email(lower(email));
            if (!u) {
                if (u.err().code != errc::not_found)
                    return u.err();
                errors.push_back({"roles", "user '" + email + "' does not exist"});
                continue;
            }
            std::vector<team_role> teams;
            for (const auto& t : entry.teams) {
                auto r = parse_role(t.role, "roles", errors);
                auto team = st.team_by_name(t.team);
                if (!team) {
                    if (team.err().code != errc::not_found)
                        return team.err();
                    errors.push_back({"roles", "team '" + t.team + "' does not exist"});
                    continue;
                }
                if (r)
                    teams.push_back({team->id, team->name, team->description, *r});
            }
            if (entry.global_role && !entry.teams.empty())
                errors.push_back(
                    {"roles", "user '" + email + "': cannot specify both global_role and teams"});
            else if (!entry.global_role && entry.teams.empty())
                errors.push_back({"roles", "user '" + email +
                                               "': either global role or team role needs to be "
                                               "defined"});
            u->global_role.reset();
            if (entry.global_role)
                u->global_role = parse_role(*entry.global_role, "roles", errors);
            changes.emplace_back(std::move(*u), std::move(teams));
        }
        if (!errors.empty())
            return invalid(std::move(errors));
        for (auto& [u, teams] : changes) {
            if (auto saved = st.update_user(u, now); !saved)
                return saved.err();
            if (auto r = st.set_user_teams(u.id, teams); !r)
                return r;
        }
        return an_admin_remains(st, "roles", "cannot demote the last global admin");
    });
}

expected<std::vector<team>> available_teams(storage::store& st, const user& u) {
    auto all = st.list_teams();
    if (!all || u.global_role)
        return all;
    std::vector<team> out;
    for (auto& t : *all)
        if (authz::sees_host(u, t.id))
            out.push_back(std::move(t));
    return out;
}

bool may_manage_sessions(const user& actor, std::int64_t id) {
    return actor.id == id || authz::global_role_in(actor, {role::admin});
}

} // namespace flotilla::service
