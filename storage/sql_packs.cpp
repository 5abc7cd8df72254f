/// Packs: scheduled queries and targets, replaced as a whole on apply.

#include "storage/sql_store.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace flotilla::storage {

namespace {

constexpr std::int64_t target_label = pack_target_label;
constexpr std::int64_t target_team = pack_target_team;

sql_value opt_bool(const std::optional<bool>& b) {
    return b ? sql_value(std::int64_t{*b ? 1 : 0}) : sql_value(nullptr);
}
sql_value opt_int(const std::optional<std::int64_t>& i) {
    return i ? sql_value(*i) : sql_value(nullptr);
}
sql_value opt_str(const std::optional<std::string>& s) {
    return s ? sql_value(*s) : sql_value(nullptr);
}

/// The scheduled queries of a spec with duplicate names resolved: the last wins,
/// in the place of the first.
std::vector<scheduled_query_spec> last_wins(const std::vector<scheduled_query_spec>& in) {
    std::vector<scheduled_query_spec> out;
    for (const auto& q : in) {
        auto same = std::find_if(out.begin(), out.end(), [&](auto& o) { return o.name == q.name; });
        if (same != out.end())
            *same = q;
        else
            out.push_back(q);
    }
    return out;
}

} // namespace

std::vector<pack_spec> sql_store::packs_where(const std::string& where,
                                              const std::vector<sql_value>& params) {
    std::vector<pack_spec> out;
    for (const auto& r : db_->query("SELECT id, name, description, platform, disabled FROM packs "
                                    "WHERE pack_type IS NULL " +
                                        where + " ORDER BY id",
                                    params)) {
        pack_spec p;
        p.id = r.i64(0);
        p.name = r.str(1);
        p.description = r.str(2);
        p.platform = r.str(3);
        p.disabled = r.flag(4);
        for (const auto& q : db_->query(
                 "SELECT query_name, name, description, schedule_interval, snapshot, removed, "
                 "shard, platform, version, denylist FROM scheduled_queries WHERE pack_id = ? "
                 "ORDER BY id",
                 {p.id})) {
            scheduled_query_spec s;
            s.query = q.str(0);
            s.name = q.str(1);
            s.description = q.str(2);
            s.interval = q.i64(3);
            read_schedule_options(q, 4, s);
            p.queries.push_back(std::move(s));
        }
        for (const auto& t : db_->query("SELECT l.name FROM pack_targets t JOIN labels l ON l.id = "
                                        "t.target_id WHERE t.pack_id = ? AND t.target_type = ? "
                                        "ORDER BY l.id",
                                        {p.id, target_label}))
            p.target_labels.push_back(t.str(0));
        for (const auto& t : db_->query("SELECT m.name FROM pack_targets t JOIN teams m ON m.id = "
                                        "t.target_id WHERE t.pack_id = ? AND t.target_type = ? "
                                        "ORDER BY m.id",
                                        {p.id, target_team}))
            p.target_teams.push_back(t.str(0));
        out.push_back(std::move(p));
    }
    return out;
}

expected<std::vector<pack_spec>> sql_store::pack_specs() {
    return guarded([&]() -> expected<std::vector<pack_spec>> { return packs_where("", {}); });
}

expected<pack_spec> sql_store::pack_spec_by_name(const std::string& name) {
    return guarded([&]() -> expected<pack_spec> {
        auto packs = packs_where("AND name = ?", {name});
        if (packs.empty())
            return error::not_found("Pack", name);
        return std::move(packs[0]);
    });
}

expected<void> sql_store::apply_pack_specs(const std::vector<pack_spec>& specs, micros now) {
    return transaction([&]() -> expected<void> {
        // Every reference is resolved once, and checked before anything is written.
        std::map<std::string, std::optional<std::int64_t>> queries, labels, teams;
        auto resolve = [&](auto& cache, const char* table, const std::string& name) {
            auto it = cache.find(name);
            if (it == cache.end())
                it = cache.emplace(name, id_by_name(table, name)).first;
            return it->second;
        };
        std::set<std::string> unknown_queries, unknown_labels, unknown_teams;
        for (const auto& p : specs) {
            for (const auto& q : p.queries)
                if (!resolve(queries, "queries", q.query))
                    unknown_queries.insert(q.query);
            for (const auto& l : p.target_labels)
                if (!resolve(labels, "labels", l))
                    unknown_labels.insert(l);
            for (const auto& t : p.target_teams)
                if (!resolve(teams, "teams", t))
                    unknown_teams.insert(t);
        }
        std::vector<field_error> errors;
        errors.reserve(unknown_queries.size() + unknown_labels.size() + unknown_teams.size());
        for (const auto& q : unknown_queries)
            errors.push_back({"queries", "cannot schedule unknown query '" + q + "'"});
        for (const auto& l : unknown_labels)
            errors.push_back({"targets.labels", "unknown label '" + l + "'"});
        for (const auto& t : unknown_teams)
            errors.push_back({"targets.teams", "unknown team '" + t + "'"});
        if (!errors.empty())
            return error{errc::invalid_argument, "Validation Failed", std::move(errors)};

        for (const auto& p : specs) {
            auto existing = db_->query("SELECT id, pack_type FROM packs WHERE name = ?", {p.name});
            std::int64_t id;
            if (!existing.empty()) {
                if (!existing[0].is_null(1))
                    continue; // the global or a team schedule: not editable by spec
                id = existing[0].i64(0);
                db_->execute("UPDATE packs SET description = ?, platform = ?, disabled = ?, "
                             "updated_at = ? WHERE id = ?",
                             {p.description, p.platform, std::int64_t{p.disabled}, now, id});
            } else {
                db_->execute(
                    "INSERT INTO packs (name, description, platform, disabled, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    {p.name, p.description, p.platform, std::int64_t{p.disabled}, now, now});
                id = db_->last_insert_id();
            }
            db_->execute("DELETE FROM scheduled_queries WHERE pack_id = ?", {id});
            for (const auto& q : last_wins(p.queries))
                db_->execute("INSERT INTO scheduled_queries (pack_id, query_name, name, "
                             "description, schedule_interval, snapshot, removed, shard, platform, "
                             "version, denylist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             {id, q.query, q.name, q.description, q.interval, opt_bool(q.snapshot),
                              opt_bool(q.removed), opt_int(q.shard), opt_str(q.platform),
                              opt_str(q.version), opt_bool(q.denylist)});
            db_->execute("DELETE FROM pack_targets WHERE pack_id = ?", {id});
            auto add_targets = [&](const std::vector<std::string>& names, auto& resolved,
                                   std::int64_t type) {
                std::set<std::int64_t> ids;
                for (const auto& n : names)
                    ids.insert(*resolved.at(n));
                for (auto target : ids)
                    db_->execute("INSERT INTO pack_targets (pack_id, target_type, target_id) "
                                 "VALUES (?, ?, ?)",
                                 {id, type, target});
            };
            add_targets(p.target_labels, labels, target_label);
            add_targets(p.target_teams, teams, target_team);
        }
        return {};
    });
}

} // namespace flotilla::storage
