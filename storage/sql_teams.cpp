/// Teams, their enroll secrets and users' team roles.

#include "storage/sql_store.hpp"

#include <boost/json.hpp>
#include <map>
#include <set>

namespace flotilla::storage {

namespace bj = boost::json;

namespace {

team team_from_row(const sql_row& r) {
    team t;
    t.id = r.i64(0);
    t.name = r.str(1);
    t.description = r.str(2);
    if (!r.is_null(3))
        t.agent_options = bj::parse(r.str(3));
    t.created_at = r.i64(4);
    return t;
}

constexpr const char* team_columns = "id, name, description, agent_options, created_at";

sql_value options_value(const std::optional<bj::value>& o) {
    return o ? sql_value(bj::serialize(*o)) : sql_value(nullptr);
}

error name_taken(const std::string& name) {
    return {errc::already_exists,
            "Resource Already Exists",
            {{"name", "Team \"" + name + "\" already exists"}}};
}

} // namespace

expected<void> sql_store::write_team_secrets(std::int64_t team_id, const std::string& team_name,
                                             const std::vector<std::string>& secrets, micros now) {
    std::map<std::string, micros> kept;
    for (const auto& r :
         db_->query("SELECT secret, created_at FROM enroll_secrets WHERE team_id = ?", {team_id}))
        kept[r.str(0)] = r.i64(1);
    db_->execute("DELETE FROM enroll_secrets WHERE team_id = ?", {team_id});
    std::set<std::string> seen;
    for (const auto& secret : secrets) {
        if (!seen.insert(secret).second)
            continue;
        if (!db_->query("SELECT 1 FROM enroll_secrets WHERE secret = ?", {secret}).empty())
            return error{
                errc::already_exists,
                "Resource Already Exists",
                {{"secrets", "team '" + team_name + "': enroll secret is already in use"}}};
        auto old = kept.find(secret);
        db_->execute("INSERT INTO enroll_secrets (secret, team_id, created_at) VALUES (?, ?, ?)",
                     {secret, team_id, old == kept.end() ? now : old->second});
    }
    return {};
}

expected<void> sql_store::apply_team_specs(const std::vector<team_spec>& specs,
                                           const bj::value& global_agent_options, micros now) {
    return transaction([&]() -> expected<void> {
        for (const auto& spec : specs) {
            auto id = id_by_name("teams", spec.name);
            if (!id) {
                const bj::value& opts =
                    spec.agent_options ? *spec.agent_options : global_agent_options;
                db_->execute("INSERT INTO teams (name, description, agent_options, created_at) "
                             "VALUES (?, '', ?, ?)",
                             {spec.name, bj::serialize(opts), now});
                id = db_->last_insert_id();
            } else {
                sql_value opts = nullptr;
                if (spec.agent_options)
                    opts = bj::serialize(*spec.agent_options);
                db_->execute("UPDATE teams SET agent_options = ? WHERE id = ?", {opts, *id});
            }
            if (auto r = write_team_secrets(*id, spec.name, spec.secrets, now); !r)
                return r;
        }
        return {};
    });
}

expected<team> sql_store::team_by_name(const std::string& name) {
    return guarded([&]() -> expected<team> {
        auto rows = db_->query(std::string("SELECT ") + team_columns + " FROM teams WHERE name = ?",
                               {name});
        if (rows.empty())
            return error::not_found("Team", name);
        return team_from_row(rows[0]);
    });
}

expected<team> sql_store::team_by_id(std::int64_t id) {
    return guarded([&]() -> expected<team> {
        auto rows =
            db_->query(std::string("SELECT ") + team_columns + " FROM teams WHERE id = ?", {id});
        if (rows.empty())
            return error::not_found("Team", std::to_string(id));
        return team_from_row(rows[0]);
    });
}

expected<std::vector<team>> sql_store::list_teams() {
    return guarded([&]() -> expected<std::vector<team>> {
        std::vector<team> out;
        for (const auto& r :
             db_->query(std::string("SELECT ") + team_columns + " FROM teams ORDER BY id", {}))
            out.push_back(team_from_row(r));
        return out;
    });
}

expected<std::vector<enroll_secret>> sql_store::team_enroll_secrets(std::int64_t team_id) {
    return guarded([&]() -> expected<std::vector<enroll_secret>> {
        std::vector<enroll_secret> out;
        for (const auto& r : db_->query("SELECT secret, created_at FROM enroll_secrets WHERE "
                                        "team_id = ? ORDER BY created_at, secret",
                                        {team_id}))
            out.push_back({r.str(0), r.i64(1), team_id});
        return out;
    });
}

expected<void> sql_store::set_user_teams(std::int64_t user_id,
                                         const std::vector<team_role>& roles) {
    return transaction([&]() -> expected<void> {
        db_->execute("DELETE FROM user_teams WHERE user_id = ?", {user_id});
        for (const auto& r : roles)
            db_->execute("INSERT INTO user_teams (user_id, team_id, role) VALUES (?, ?, ?)",
                         {user_id, r.team_id, std::string(to_string(r.team_role_value))});
        return {};
    });
}

expected<std::map<std::int64_t, team_size>> sql_store::team_sizes() {
    return guarded([&]() -> expected<std::map<std::int64_t, team_size>> {
        std::map<std::int64_t, team_size> out;
        for (const auto& r :
             db_->query("SELECT team_id, COUNT(*) FROM user_teams GROUP BY team_id", {}))
            out[r.i64(0)].users = r.i64(1);
        for (const auto& r : db_->query(
                 "SELECT team_id, COUNT(*) FROM hosts WHERE team_id IS NOT NULL GROUP BY team_id",
                 {}))
            out[r.i64(0)].hosts = r.i64(1);
        return out;
    });
}

expected<team> sql_store::new_team(const team& t, const std::vector<std::string>& secrets,
                                   micros now) {
    team out = t;
    auto done = transaction([&]() -> expected<void> {
        if (id_by_name("teams", t.name))
            return name_taken(t.name);
        db_->execute("INSERT INTO teams (name, description, agent_options, created_at) VALUES (?, "
                     "?, ?, ?)",
                     {t.name, t.description, options_value(t.agent_options), now});
        out.id = db_->last_insert_id();
        out.created_at = now;
        return write_team_secrets(out.id, t.name, secrets, now);
    });
    if (!done)
        return done.err();
    return out;
}

expected<void> sql_store::update_team(const team& t) {
    return transaction([&]() -> expected<void> {
        if (db_->query("SELECT 1 FROM teams WHERE id = ?", {t.id}).empty())
            return error::not_found("Team", std::to_string(t.id));
        if (auto other = id_by_name("teams", t.name); other && *other != t.id)
            return name_taken(t.name);
        db_->execute("UPDATE teams SET name = ?, description = ?, agent_options = ? WHERE id = ?",
                     {t.name, t.description, options_value(t.agent_options), t.id});
        return {};
    });
}

expected<void> sql_store::delete_team(std::int64_t id) {
    // Explicit rather than left to the foreign keys: enroll secrets and pack
    // targets have none, and the order keeps policy results from dangling.
    return transaction([&]() -> expected<void> {
        if (db_->query("SELECT 1 FROM teams WHERE id = ?", {id}).empty())
            return error::not_found("Team", std::to_string(id));
        db_->execute("DELETE FROM enroll_secrets WHERE team_id = ?", {id});
        db_->execute("DELETE FROM policy_membership WHERE policy_id IN (SELECT id FROM policies "
                     "WHERE team_id = ?)",
                     {id});
        db_->execute("DELETE FROM policies WHERE team_id = ?", {id});
        db_->execute("DELETE FROM pack_targets WHERE target_type = ? AND target_id = ?",
                     {pack_target_team, id});
        db_->execute("DELETE FROM user_teams WHERE team_id = ?", {id});
        db_->execute("UPDATE hosts SET team_id = NULL WHERE team_id = ?", {id});
        db_->execute("DELETE FROM teams WHERE id = ?", {id});
        return {};
    });
}

expected<void> sql_store::replace_team_enroll_secrets(std::int64_t team_id,
                                                      const std::vector<std::string>& secrets,
                                                      micros now) {
    return transaction([&]() -> expected<void> {
        auto rows = db_->query("SELECT name FROM teams WHERE id = ?", {team_id});
        if (rows.empty())
            return error::not_found("Team", std::to_string(team_id));
        return write_team_secrets(team_id, rows[0].str(0), secrets, now);
    });
}

} // namespace flotilla::storage
