/// Labels, manual membership, and the hosts labels point at.

#include "storage/sql_batch.hpp"
#include "storage/sql_store.hpp"

#include <set>
#include <unordered_map>

namespace flotilla::storage {

namespace {

constexpr const char* label_columns = "SELECT id, name, description, query, platform, label_type, "
                                      "label_membership_type, created_at, updated_at FROM labels ";

/// A row of label_columns (manual labels' hosts are not read here).
label_spec read_label(const sql_row& r) {
    label_spec l;
    l.id = r.i64(0);
    l.name = r.str(1);
    l.description = r.str(2);
    l.query = r.str(3);
    l.platform = r.str(4);
    l.builtin = r.i64(5) == 1;
    l.membership = r.i64(6) == 1 ? label_membership::manual : label_membership::dynamic;
    l.created_at = r.i64(7);
    l.updated_at = r.i64(8);
    return l;
}

} // namespace

std::vector<label_spec> sql_store::labels_where(const std::string& where,
                                                const std::vector<sql_value>& params,
                                                bool with_hosts) {
    std::vector<label_spec> out;
    for (const auto& r : db_->query(label_columns + where + " ORDER BY id", params)) {
        label_spec l = read_label(r);
        if (with_hosts && l.membership == label_membership::manual && !l.builtin) {
            l.hosts.emplace();
            for (const auto& h : db_->query("SELECT h.hostname FROM label_membership m JOIN hosts "
                                            "h ON h.id = m.host_id WHERE m.label_id = ? ORDER BY "
                                            "h.hostname, h.id",
                                            {l.id}))
                l.hosts->push_back(h.str(0));
        }
        out.push_back(std::move(l));
    }
    return out;
}

expected<std::vector<label_spec>> sql_store::label_specs() {
    return guarded([&]() -> expected<std::vector<label_spec>> { return labels_where("", {}); });
}

expected<label_spec> sql_store::label_spec_by_name(const std::string& name) {
    return guarded([&]() -> expected<label_spec> {
        auto labels = labels_where("WHERE name = ?", {name});
        if (labels.empty())
            return error::not_found("Label", name);
        return std::move(labels[0]);
    });
}

expected<void> sql_store::apply_label_specs(const std::vector<label_spec>& specs, micros now) {
    return transaction([&]() -> expected<void> {
        const auto dialect = db_->dialect();
        auto key = [&](const std::string& name) { return batch::name_key(dialect, name); };
        // The stored labels the specs name, read once.
        std::vector<sql_value> names;
        std::unordered_map<std::string, label_spec> stored;
        {
            std::set<std::string> seen;
            for (const auto& s : specs)
                if (seen.insert(key(s.name)).second)
                    names.emplace_back(s.name);
        }
        for (const auto& r :
             batch::select_in(*db_, std::string(label_columns) + "WHERE name IN (", ")", names)) {
            label_spec l = read_label(r);
            stored.emplace(key(l.name), std::move(l));
        }
        // Checked in order before anything is written; a builtin re-applied
        // unchanged is skipped. Otherwise one row per name, in the order names
        // first appear, the last spec winning; a manual label's members are
        // those of the last manual spec of its name.
        struct merged {
            const label_spec* last;
            const label_spec* manual;
        };
        std::vector<merged> rows;
        std::unordered_map<std::string, std::size_t> at;
        for (const auto& spec : specs) {
            auto found = stored.find(key(spec.name));
            const bool stored_builtin = found != stored.end() && found->second.builtin;
            if (stored_builtin || spec.builtin) {
                if (stored_builtin && same_definition(found->second, spec))
                    continue;
                return error::invalid("name",
                                      "cannot modify or add built-in label '" + spec.name + "'");
            }
            const label_spec* manual =
                spec.membership == label_membership::manual ? &spec : nullptr;
            auto [it, added] = at.emplace(key(spec.name), rows.size());
            if (added)
                rows.push_back({&spec, manual});
            else
                rows[it->second] = {&spec, manual ? manual : rows[it->second].manual};
        }
        std::vector<batch::row> inserts, updates;
        std::vector<std::string> new_manual;
        for (const auto& [spec, manual] : rows) {
            const std::int64_t membership = spec->membership == label_membership::manual ? 1 : 0;
            if (auto found = stored.find(key(spec->name)); found != stored.end()) {
                updates.push_back({found->second.id, spec->name, now, spec->description,
                                   spec->query, spec->platform, std::int64_t{0}, membership, now});
                continue;
            }
            inserts.push_back(
                {spec->name, spec->description, spec->query, spec->platform, membership, now, now});
            if (manual)
                new_manual.push_back(spec->name);
        }
        batch::insert_rows(*db_,
                           "INSERT INTO labels (name, description, query, platform, label_type, "
                           "label_membership_type, created_at, updated_at) VALUES ",
                           "(?, ?, ?, ?, 0, ?, ?, ?)", "", inserts);
        batch::update_rows(*db_, "labels",
                           {"description", "query", "platform", "label_type",
                            "label_membership_type", "updated_at"},
                           updates);

        // Manual membership: replaced for every label a manual spec names.
        const auto created = batch::ids_by_name(*db_, "labels", new_manual);
        std::vector<sql_value> replaced, hostnames;
        std::set<std::string> hostname_keys;
        for (const auto& [spec, manual] : rows) {
            if (!manual)
                continue;
            auto found = stored.find(key(spec->name));
            replaced.emplace_back(found != stored.end() ? found->second.id
                                                        : created.at(key(spec->name)));
            if (manual->hosts)
                for (const auto& h : *manual->hosts)
                    if (hostname_keys.insert(key(h)).second)
                        hostnames.emplace_back(h);
        }
        if (replaced.empty())
            return {};
        batch::execute_in(*db_, "DELETE FROM label_membership WHERE label_id IN (", ")", replaced);
        std::unordered_map<std::string, std::vector<std::int64_t>> hosts;
        for (const auto& r : batch::select_in(
                 *db_, "SELECT id, hostname FROM hosts WHERE hostname IN (", ")", hostnames))
            hosts[key(r.str(1))].push_back(r.i64(0));
        std::vector<batch::row> members;
        std::size_t next = 0;
        for (const auto& [spec, manual] : rows) {
            if (!manual)
                continue;
            const auto label_id = std::get<std::int64_t>(replaced[next++]);
            std::set<std::int64_t> host_ids;
            if (manual->hosts)
                for (const auto& h : *manual->hosts)
                    if (auto found = hosts.find(key(h)); found != hosts.end())
                        host_ids.insert(found->second.begin(), found->second.end());
            for (auto host_id : host_ids)
                members.push_back({label_id, host_id});
        }
        batch::insert_rows(*db_, "INSERT INTO label_membership (label_id, host_id) VALUES ",
                           "(?, ?)", "", members);
        return {};
    });
}

expected<label_spec> sql_store::label_by_id(std::int64_t id) {
    return guarded([&]() -> expected<label_spec> {
        auto labels = labels_where("WHERE id = ?", {id});
        if (labels.empty())
            return error::not_found("Label", std::to_string(id));
        return std::move(labels[0]);
    });
}

expected<std::map<std::int64_t, std::int64_t>> sql_store::label_host_counts() {
    return guarded([&]() -> expected<std::map<std::int64_t, std::int64_t>> {
        std::map<std::int64_t, std::int64_t> out;
        for (const auto& r :
             db_->query("SELECT label_id, COUNT(*) FROM label_membership GROUP BY label_id", {}))
            out[r.i64(0)] = r.i64(1);
        return out;
    });
}

expected<void> sql_store::rename_label(std::int64_t id, const std::string& name,
                                       const std::string& description, micros now) {
    return transaction([&]() -> expected<void> {
        if (db_->query("SELECT 1 FROM labels WHERE id = ?", {id}).empty())
            return error::not_found("Label", std::to_string(id));
        if (auto other = id_by_name("labels", name); other && *other != id)
            return error{errc::already_exists,
                         "Resource Already Exists",
                         {{"name", "a label named '" + name + "' already exists"}}};
        db_->execute("UPDATE labels SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                     {name, description, now, id});
        return {};
    });
}

expected<void> sql_store::delete_label(std::int64_t id) {
    return transaction([&]() -> expected<void> {
        if (db_->query("SELECT 1 FROM labels WHERE id = ?", {id}).empty())
            return error::not_found("Label", std::to_string(id));
        db_->execute("DELETE FROM label_membership WHERE label_id = ?", {id});
        db_->execute("DELETE FROM pack_targets WHERE target_type = ? AND target_id = ?",
                     {std::int64_t{pack_target_label}, id});
        db_->execute("DELETE FROM labels WHERE id = ?", {id});
        return {};
    });
}

expected<std::int64_t> sql_store::new_host_for_test(const std::string& identifier,
                                                    const std::string& hostname,
                                                    std::optional<std::int64_t> team_id,
                                                    micros now) {
    return guarded([&]() -> expected<std::int64_t> {
        sql_value team = nullptr;
        if (team_id)
            team = *team_id;
        db_->execute("INSERT INTO hosts (osquery_host_id, hostname, team_id, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?)",
                     {identifier, hostname, team, now, now});
        return db_->last_insert_id();
    });
}

} // namespace flotilla::storage
