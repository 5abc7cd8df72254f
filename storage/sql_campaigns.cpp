/// Live query campaigns: target resolution, creation, status.

#include "storage/sql_store.hpp"

#include <algorithm>
#include <set>

namespace flotilla::storage {

namespace {

constexpr std::int64_t target_host = 1, target_label = 0, target_team = 2;

std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += i ? ", ?" : "?";
    return out;
}

} // namespace

expected<target_selection> sql_store::resolve_target_names(target_selection sel) {
    return guarded([&]() -> expected<target_selection> {
        std::vector<field_error> errors;
        for (const auto& name : sel.hostnames) {
            if (name.empty())
                continue; // fleetctl sends [""] for an unset flag
            auto rows = sel.hosts_by_identifier
                            ? db_->query("SELECT id FROM hosts WHERE hostname = ? OR uuid = ? OR "
                                         "hardware_serial = ?",
                                         {name, name, name})
                            : db_->query("SELECT id FROM hosts WHERE hostname = ?", {name});
            if (rows.empty())
                errors.push_back({"selected.hosts", "unknown host '" + name + "'"});
            for (const auto& r : rows)
                sel.host_ids.push_back(r.i64(0));
        }
        for (const auto& name : sel.label_names) {
            if (name.empty())
                continue;
            if (auto id = id_by_name("labels", name))
                sel.label_ids.push_back(*id);
            else
                errors.push_back({"selected.labels", "unknown label '" + name + "'"});
        }
        if (!errors.empty())
            return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
        return sel;
    });
}

expected<std::vector<std::int64_t>>
sql_store::target_host_ids(const target_selection& sel,
                           const std::optional<std::vector<std::int64_t>>& team_scope) {
    return guarded([&]() -> expected<std::vector<std::int64_t>> {
        // A vector sorted once, not a node per host: All Hosts may be a million rows.
        std::vector<std::int64_t> ids;
        auto collect = [&](const std::string& sql, const std::vector<std::int64_t>& keys,
                           std::vector<std::int64_t>& into) {
            if (keys.empty())
                return;
            std::vector<sql_value> params(keys.begin(), keys.end());
            const auto rows = db_->query(sql + " (" + placeholders(keys.size()) + ")", params);
            into.reserve(into.size() + rows.size());
            for (const auto& r : rows)
                into.push_back(r.i64(0));
        };
        collect("SELECT id FROM hosts WHERE id IN", sel.host_ids, ids);
        collect("SELECT host_id FROM label_membership WHERE label_id IN", sel.label_ids, ids);
        collect("SELECT id FROM hosts WHERE team_id IN", sel.team_ids, ids);
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        if (team_scope && !ids.empty()) {
            std::vector<std::int64_t> allowed;
            collect("SELECT id FROM hosts WHERE team_id IN", *team_scope, allowed);
            std::sort(allowed.begin(), allowed.end());
            std::erase_if(ids, [&](std::int64_t id) {
                return !std::binary_search(allowed.begin(), allowed.end(), id);
            });
        }
        return ids;
    });
}

expected<std::pair<campaign, query>>
sql_store::new_campaign(std::optional<std::int64_t> query_id,
                        const std::optional<std::string>& adhoc_sql, const user& author,
                        const target_selection& sel, micros now) {
    std::pair<campaign, query> out;
    auto done = transaction([&]() -> expected<void> {
        // The campaign first: an ad-hoc query is named after it, so the name is
        // unique by construction (Fleet's per-second names collide).
        db_->execute("INSERT INTO campaigns (query_id, status, user_id, created_at, updated_at) "
                     "VALUES (0, 0, ?, ?, ?)",
                     {author.id, now, now});
        out.first = campaign{db_->last_insert_id(), 0, campaign_status::waiting, author.id, now};
        if (adhoc_sql) {
            const std::string name =
                "distributed_" + author.email + "_" + std::to_string(out.first.id);
            db_->execute("INSERT INTO queries (name, description, query, saved, observer_can_run, "
                         "author_id, created_at, updated_at) VALUES (?, '', ?, 0, 0, ?, ?, ?)",
                         {name, *adhoc_sql, author.id, now, now});
            out.second = query{
                db_->last_insert_id(), name, "", *adhoc_sql, false, false, author.id, now, now};
        } else {
            auto rows = db_->query("SELECT id, name, query FROM queries WHERE id = ?", {*query_id});
            if (rows.empty())
                return error::not_found("Query", std::to_string(*query_id));
            out.second.id = rows[0].i64(0);
            out.second.name = rows[0].str(1);
            out.second.sql = rows[0].str(2);
        }
        out.first.query_id = out.second.id;
        db_->execute("UPDATE campaigns SET query_id = ? WHERE id = ?",
                     {out.second.id, out.first.id});
        auto targets = [&](const std::vector<std::int64_t>& ids, std::int64_t type) {
            for (auto id : std::set<std::int64_t>(ids.begin(), ids.end()))
                db_->execute("INSERT INTO campaign_targets (campaign_id, target_type, target_id) "
                             "VALUES (?, ?, ?)",
                             {out.first.id, type, id});
        };
        targets(sel.host_ids, target_host);
        targets(sel.label_ids, target_label);
        targets(sel.team_ids, target_team);
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

expected<campaign> sql_store::campaign_by_id(std::int64_t id) {
    return guarded([&]() -> expected<campaign> {
        auto rows = db_->query(
            "SELECT id, query_id, status, user_id, created_at FROM campaigns WHERE id = ?", {id});
        if (rows.empty())
            return error::not_found("Campaign", std::to_string(id));
        const auto& r = rows[0];
        return campaign{r.i64(0), r.i64(1), static_cast<campaign_status>(r.i64(2)), r.i64(3),
                        r.i64(4)};
    });
}

expected<void> sql_store::set_campaign_status(std::int64_t id, campaign_status s, micros now) {
    return guarded([&]() -> expected<void> {
        db_->execute("UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?",
                     {static_cast<std::int64_t>(s), now, id});
        return {};
    });
}

} // namespace flotilla::storage
