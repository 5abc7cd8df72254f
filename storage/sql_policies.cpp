/// Policies.

#include "storage/sql_store.hpp"

namespace flotilla::storage {

std::vector<policy> sql_store::policies_where(const std::string& where,
                                              const std::vector<sql_value>& params) {
    std::vector<policy> out;
    for (const auto& r : db_->query(
             "SELECT p.id, p.name, p.query, p.description, p.resolution, p.team_id, p.platforms, "
             "p.author_id, u.name, u.email, p.created_at, p.updated_at FROM policies p LEFT JOIN "
             "users u ON u.id = p.author_id " +
                 where + " ORDER BY p.id",
             params)) {
        policy p;
        p.id = r.i64(0);
        p.name = r.str(1);
        p.query = r.str(2);
        p.description = r.str(3);
        p.resolution = r.str(4);
        p.team_id = r.opt_i64(5);
        p.platform = r.str(6);
        p.author_id = r.opt_i64(7);
        p.author_name = r.str(8);
        p.author_email = r.str(9);
        p.created_at = r.i64(10);
        p.updated_at = r.i64(11);
        out.push_back(std::move(p));
    }
    return out;
}

expected<void> sql_store::apply_policy_specs(const std::vector<policy_spec>& specs,
                                             std::int64_t author_id, micros now) {
    return transaction([&]() -> expected<void> {
        for (const auto& s : specs) {
            sql_value team = nullptr;
            if (!s.team.empty()) {
                auto id = id_by_name("teams", s.team);
                if (!id)
                    return error::invalid("team",
                                          "policy '" + s.name + "': unknown team '" + s.team + "'");
                team = *id;
            }
            if (auto id = id_by_name("policies", s.name))
                db_->execute("UPDATE policies SET query = ?, description = ?, resolution = ?, "
                             "author_id = ?, updated_at = ? WHERE id = ?",
                             {s.query, s.description, s.resolution, author_id, now, *id});
            else
                db_->execute("INSERT INTO policies (name, query, description, resolution, team_id, "
                             "platforms, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                             "?, ?, ?, ?)",
                             {s.name, s.query, s.description, s.resolution, team, s.platform,
                              author_id, now, now});
        }
        return {};
    });
}

expected<std::vector<policy>> sql_store::global_policies() {
    return guarded([&]() -> expected<std::vector<policy>> {
        return policies_where("WHERE p.team_id IS NULL", {});
    });
}

expected<std::vector<policy>> sql_store::team_policies(std::int64_t team_id) {
    return guarded([&]() -> expected<std::vector<policy>> {
        return policies_where("WHERE p.team_id = ?", {team_id});
    });
}

expected<policy> sql_store::policy_by_name(const std::string& name) {
    return guarded([&]() -> expected<policy> {
        auto found = policies_where("WHERE p.name = ?", {name});
        if (found.empty())
            return error::not_found("Policy", name);
        return std::move(found[0]);
    });
}

} // namespace flotilla::storage
