/// Labels, manual membership, and the hosts labels point at.

#include "storage/sql_store.hpp"

#include <set>

namespace flotilla::storage {

std::vector<label_spec> sql_store::labels_where(const std::string& where,
                                                const std::vector<sql_value>& params,
                                                bool with_hosts) {
    std::vector<label_spec> out;
    for (const auto& r : db_->query("SELECT id, name, description, query, platform, label_type, "
                                    "label_membership_type, created_at, updated_at FROM labels " +
                                        where + " ORDER BY id",
                                    params)) {
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
        for (const auto& spec : specs) {
            auto existing = labels_where("WHERE name = ?", {spec.name}, /*with_hosts=*/false);
            const bool stored_builtin = !existing.empty() && existing[0].builtin;
            if (stored_builtin || spec.builtin) {
                if (stored_builtin && same_definition(existing[0], spec))
                    continue; // a builtin re-applied unchanged
                return error::invalid("name",
                                      "cannot modify or add built-in label '" + spec.name + "'");
            }
            const std::int64_t membership = spec.membership == label_membership::manual ? 1 : 0;
            std::int64_t id;
            if (!existing.empty()) {
                id = existing[0].id;
                db_->execute("UPDATE labels SET description = ?, query = ?, platform = ?, "
                             "label_type = 0, label_membership_type = ?, updated_at = ? WHERE id "
                             "= ?",
                             {spec.description, spec.query, spec.platform, membership, now, id});
            } else {
                db_->execute(
                    "INSERT INTO labels (name, description, query, platform, label_type, "
                    "label_membership_type, created_at, updated_at) VALUES (?, ?, ?, ?, "
                    "0, ?, ?, ?)",
                    {spec.name, spec.description, spec.query, spec.platform, membership, now, now});
                id = db_->last_insert_id();
            }
            if (spec.membership == label_membership::manual) {
                db_->execute("DELETE FROM label_membership WHERE label_id = ?", {id});
                std::set<std::string> hostnames(spec.hosts->begin(), spec.hosts->end());
                for (const auto& h : hostnames)
                    db_->execute("INSERT INTO label_membership (label_id, host_id) SELECT ?, id "
                                 "FROM hosts WHERE hostname = ?",
                                 {id, h});
            }
        }
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
