/// Policies.

#include "storage/sql_batch.hpp"
#include "storage/sql_store.hpp"

#include <unordered_map>

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
        const auto dialect = db_->dialect();
        std::vector<std::string> team_names, names;
        for (const auto& s : specs) {
            if (!s.team.empty())
                team_names.push_back(s.team);
            names.push_back(s.name);
        }
        const auto teams = batch::ids_by_name(*db_, "teams", team_names);
        for (const auto& s : specs)
            if (!s.team.empty() && !teams.contains(batch::name_key(dialect, s.team)))
                return error::invalid("team",
                                      "policy '" + s.name + "': unknown team '" + s.team + "'");
        const auto existing = batch::ids_by_name(*db_, "policies", names);

        // One row per name, in the order names first appear. A name given twice
        // is one policy: its team and platform from the spec that creates it (an
        // update keeps them), the rest from the last spec.
        struct merged {
            const policy_spec* first;
            const policy_spec* last;
        };
        std::vector<merged> rows;
        std::unordered_map<std::string, std::size_t> at;
        for (const auto& s : specs) {
            auto [it, added] = at.emplace(batch::name_key(dialect, s.name), rows.size());
            if (added)
                rows.push_back({&s, &s});
            else
                rows[it->second].last = &s;
        }
        std::vector<batch::row> inserts, updates;
        for (const auto& [first, last] : rows) {
            if (auto id = existing.find(batch::name_key(dialect, first->name));
                id != existing.end()) {
                updates.push_back({id->second, first->name, now, last->query, last->description,
                                   last->resolution, author_id, now});
                continue;
            }
            sql_value team = nullptr;
            if (!first->team.empty())
                team = teams.at(batch::name_key(dialect, first->team));
            inserts.push_back({first->name, last->query, last->description, last->resolution, team,
                               first->platform, author_id, now, now});
        }
        batch::insert_rows(*db_,
                           "INSERT INTO policies (name, query, description, resolution, team_id, "
                           "platforms, author_id, created_at, updated_at) VALUES ",
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?)", "", inserts);
        batch::update_rows(*db_, "policies",
                           {"query", "description", "resolution", "author_id", "updated_at"},
                           updates);
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
