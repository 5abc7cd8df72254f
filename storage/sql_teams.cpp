/// Teams, their enroll secrets and users' team roles.

#include "storage/sql_store.hpp"

#include <boost/json.hpp>
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

} // namespace

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
            db_->execute("DELETE FROM enroll_secrets WHERE team_id = ?", {*id});
            std::set<std::string> seen;
            for (const auto& secret : spec.secrets) {
                if (!seen.insert(secret).second)
                    continue;
                if (!db_->query("SELECT 1 FROM enroll_secrets WHERE secret = ?", {secret}).empty())
                    return error{
                        errc::already_exists,
                        "Resource Already Exists",
                        {{"secrets", "team '" + spec.name + "': enroll secret is already in use"}}};
                db_->execute("INSERT INTO enroll_secrets (secret, team_id, created_at) VALUES "
                             "(?, ?, ?)",
                             {secret, *id, now});
            }
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

} // namespace flotilla::storage
