/// Packs: scheduled queries and targets, replaced as a whole on apply.

#include "storage/sql_batch.hpp"
#include "storage/sql_store.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

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

/// Whether stored scheduled queries (in id order) are the spec's, field by field.
bool same_schedule(const std::vector<scheduled_query_spec>& a,
                   const std::vector<scheduled_query_spec>& b) {
    auto same = [](const scheduled_query_spec& x, const scheduled_query_spec& y) {
        return x.query == y.query && x.name == y.name && x.description == y.description &&
               x.interval == y.interval && x.snapshot == y.snapshot && x.removed == y.removed &&
               x.shard == y.shard && x.platform == y.platform && x.version == y.version &&
               x.denylist == y.denylist;
    };
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), same);
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
        const auto dialect = db_->dialect();
        auto key = [&](const std::string& name) { return batch::name_key(dialect, name); };
        // Every reference is resolved at once, and checked before anything is written.
        std::vector<std::string> query_names, label_names, team_names, pack_names;
        for (const auto& p : specs) {
            pack_names.push_back(p.name);
            for (const auto& q : p.queries)
                query_names.push_back(q.query);
            label_names.insert(label_names.end(), p.target_labels.begin(), p.target_labels.end());
            team_names.insert(team_names.end(), p.target_teams.begin(), p.target_teams.end());
        }
        const auto queries = batch::ids_by_name(*db_, "queries", query_names);
        const auto labels = batch::ids_by_name(*db_, "labels", label_names);
        const auto teams = batch::ids_by_name(*db_, "teams", team_names);
        std::set<std::string> unknown_queries, unknown_labels, unknown_teams;
        for (const auto& p : specs) {
            for (const auto& q : p.queries)
                if (!queries.contains(key(q.query)))
                    unknown_queries.insert(q.query);
            for (const auto& l : p.target_labels)
                if (!labels.contains(key(l)))
                    unknown_labels.insert(l);
            for (const auto& t : p.target_teams)
                if (!teams.contains(key(t)))
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

        // The packs the specs name, read once: the global and team schedules
        // (pack_type set) are not editable by spec and are skipped.
        std::unordered_map<std::string, std::int64_t> existing;
        std::set<std::string> schedules;
        {
            std::vector<sql_value> values;
            std::set<std::string> seen;
            for (const auto& n : pack_names)
                if (seen.insert(key(n)).second)
                    values.emplace_back(n);
            for (const auto& r : batch::select_in(
                     *db_, "SELECT id, name, pack_type FROM packs WHERE name IN (", ")", values)) {
                if (!r.is_null(2))
                    schedules.insert(key(r.str(1)));
                else
                    existing.emplace(key(r.str(1)), r.i64(0));
            }
        }
        // One pack per name, in the order names first appear; the last spec wins.
        std::vector<const pack_spec*> packs;
        std::unordered_map<std::string, std::size_t> at;
        for (const auto& p : specs) {
            if (schedules.contains(key(p.name)))
                continue;
            auto [it, added] = at.emplace(key(p.name), packs.size());
            if (added)
                packs.push_back(&p);
            else
                packs[it->second] = &p;
        }
        std::vector<batch::row> inserts, updates;
        std::vector<std::string> created_names;
        for (const auto* p : packs) {
            const std::int64_t disabled = p->disabled ? 1 : 0;
            if (auto found = existing.find(key(p->name)); found != existing.end()) {
                updates.push_back(
                    {found->second, p->name, now, p->description, p->platform, disabled, now});
            } else {
                inserts.push_back({p->name, p->description, p->platform, disabled, now, now});
                created_names.push_back(p->name);
            }
        }
        batch::insert_rows(*db_,
                           "INSERT INTO packs (name, description, platform, disabled, created_at, "
                           "updated_at) VALUES ",
                           "(?, ?, ?, ?, ?, ?)", "", inserts);
        batch::update_rows(*db_, "packs", {"description", "platform", "disabled", "updated_at"},
                           updates);
        const auto created = batch::ids_by_name(*db_, "packs", created_names);

        // Scheduled queries and targets are replaced as a whole, for each pack
        // whose stored ones differ from the spec's (a re-apply leaves them be).
        std::vector<std::int64_t> ids;
        std::vector<sql_value> existing_ids;
        for (const auto* p : packs) {
            if (auto found = existing.find(key(p->name)); found != existing.end()) {
                ids.push_back(found->second);
                existing_ids.emplace_back(found->second);
            } else {
                ids.push_back(created.at(key(p->name)));
            }
        }
        std::map<std::int64_t, std::vector<scheduled_query_spec>> stored_queries;
        std::map<std::int64_t, std::set<std::pair<std::int64_t, std::int64_t>>> stored_targets;
        if (!existing_ids.empty()) {
            for (const auto& q :
                 batch::select_in(*db_,
                                  "SELECT pack_id, query_name, name, description, "
                                  "schedule_interval, snapshot, removed, shard, platform, "
                                  "version, denylist, id FROM scheduled_queries WHERE pack_id IN (",
                                  ") ORDER BY pack_id, id", existing_ids)) {
                scheduled_query_spec s;
                s.query = q.str(1);
                s.name = q.str(2);
                s.description = q.str(3);
                s.interval = q.i64(4);
                read_schedule_options(q, 5, s);
                stored_queries[q.i64(0)].push_back(std::move(s));
            }
            for (const auto& t : batch::select_in(
                     *db_,
                     "SELECT pack_id, target_type, target_id FROM pack_targets WHERE pack_id IN (",
                     ")", existing_ids))
                stored_targets[t.i64(0)].emplace(t.i64(1), t.i64(2));
        }
        std::vector<sql_value> replace_queries, replace_targets;
        std::vector<batch::row> query_rows, target_rows;
        for (std::size_t i = 0; i < packs.size(); ++i) {
            const auto* p = packs[i];
            const std::int64_t id = ids[i];
            const auto want = last_wins(p->queries);
            if (!same_schedule(stored_queries[id], want)) {
                if (!stored_queries[id].empty())
                    replace_queries.emplace_back(id);
                for (const auto& q : want)
                    query_rows.push_back({id, q.query, q.name, q.description, q.interval,
                                          opt_bool(q.snapshot), opt_bool(q.removed),
                                          opt_int(q.shard), opt_str(q.platform), opt_str(q.version),
                                          opt_bool(q.denylist)});
            }
            std::set<std::pair<std::int64_t, std::int64_t>> targets;
            for (const auto& l : p->target_labels)
                targets.emplace(target_label, labels.at(key(l)));
            for (const auto& t : p->target_teams)
                targets.emplace(target_team, teams.at(key(t)));
            if (targets != stored_targets[id]) {
                if (!stored_targets[id].empty())
                    replace_targets.emplace_back(id);
                for (const auto& [type, target] : targets)
                    target_rows.push_back({id, type, target});
            }
        }
        batch::execute_in(*db_, "DELETE FROM scheduled_queries WHERE pack_id IN (", ")",
                          replace_queries);
        batch::insert_rows(*db_,
                           "INSERT INTO scheduled_queries (pack_id, query_name, name, "
                           "description, schedule_interval, snapshot, removed, shard, platform, "
                           "version, denylist) VALUES ",
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "", query_rows);
        batch::execute_in(*db_, "DELETE FROM pack_targets WHERE pack_id IN (", ")",
                          replace_targets);
        batch::insert_rows(*db_,
                           "INSERT INTO pack_targets (pack_id, target_type, target_id) VALUES ",
                           "(?, ?, ?)", "", target_rows);
        return {};
    });
}

} // namespace flotilla::storage
