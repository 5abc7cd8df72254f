/// Hosts: enrollment, details, label and policy results, seen times, and the
/// queries and packs that apply to them.

#include "storage/sql_store.hpp"

#include <algorithm>
#include <set>

namespace flotilla::storage {

namespace {

/// The detail columns, each once: SELECT and UPDATE are built from these.
struct str_column {
    const char* name;
    std::string host::*field;
};
struct int_column {
    const char* name;
    std::int64_t host::*field;
};

const str_column str_columns[] = {
    {"hostname", &host::hostname},
    {"uuid", &host::uuid},
    {"platform", &host::platform},
    {"osquery_version", &host::osquery_version},
    {"os_version", &host::os_version},
    {"build", &host::build},
    {"platform_like", &host::platform_like},
    {"code_name", &host::code_name},
    {"cpu_type", &host::cpu_type},
    {"cpu_subtype", &host::cpu_subtype},
    {"cpu_brand", &host::cpu_brand},
    {"hardware_vendor", &host::hardware_vendor},
    {"hardware_model", &host::hardware_model},
    {"hardware_version", &host::hardware_version},
    {"hardware_serial", &host::hardware_serial},
    {"computer_name", &host::computer_name},
    {"primary_ip", &host::primary_ip},
    {"primary_mac", &host::primary_mac},
};
const int_column int_columns[] = {
    {"uptime_ns", &host::uptime_ns},
    {"memory", &host::memory},
    {"cpu_physical_cores", &host::cpu_physical_cores},
    {"cpu_logical_cores", &host::cpu_logical_cores},
    {"distributed_interval", &host::distributed_interval},
    {"config_tls_refresh", &host::config_tls_refresh},
    {"logger_tls_period", &host::logger_tls_period},
    {"detail_updated_at", &host::detail_updated_at},
    {"label_updated_at", &host::label_updated_at},
    {"policy_updated_at", &host::policy_updated_at},
    {"last_enrolled_at", &host::last_enrolled_at},
    {"seen_time", &host::seen_time},
    {"updated_at", &host::updated_at},
};

/// "a, b, c" or "a = ?, b = ?" over every detail column.
std::string column_list(const char* suffix) {
    std::string out;
    for (const auto& c : str_columns)
        out += std::string(out.empty() ? "" : ", ") + c.name + suffix;
    for (const auto& c : int_columns)
        out += std::string(", ") + c.name + suffix;
    return out;
}

std::vector<sql_value> column_values(const host& h) {
    std::vector<sql_value> out;
    for (const auto& c : str_columns)
        out.emplace_back(h.*c.field);
    for (const auto& c : int_columns)
        out.emplace_back(h.*c.field);
    return out;
}

/// A new host's detail, label and policy times: 1970-01-02, so all are due.
constexpr micros long_ago = 86'400'000'000;

} // namespace

std::vector<host> sql_store::hosts_where(const std::string& where,
                                         const std::vector<sql_value>& params) {
    static const std::string sql = "SELECT id, osquery_host_id, node_key, team_id, "
                                   "refetch_requested, created_at, " +
                                   column_list("") + " FROM hosts ";
    std::vector<host> out;
    for (const auto& r : db_->query(sql + where, params)) {
        host h;
        h.id = r.i64(0);
        h.osquery_host_id = r.str(1);
        h.node_key = r.str(2);
        h.team_id = r.opt_i64(3);
        h.refetch_requested = r.flag(4);
        h.created_at = r.i64(5);
        std::size_t i = 6;
        for (const auto& c : str_columns)
            h.*c.field = r.str(i++);
        for (const auto& c : int_columns)
            h.*c.field = r.i64(i++);
        out.push_back(std::move(h));
    }
    return out;
}

void sql_store::write_host(const host& h) {
    static const std::string sql = "UPDATE hosts SET node_key = ?, team_id = ?, "
                                   "refetch_requested = ?, " +
                                   column_list(" = ?") + " WHERE id = ?";
    std::vector<sql_value> params{h.node_key,
                                  h.team_id ? sql_value(*h.team_id) : sql_value(nullptr),
                                  std::int64_t{h.refetch_requested}};
    for (auto& v : column_values(h))
        params.push_back(std::move(v));
    params.emplace_back(h.id);
    db_->execute(sql, params);
}

expected<host_store::enrolled> sql_store::enroll_host(const host& details,
                                                      const std::string& node_key,
                                                      std::optional<std::int64_t> team_id,
                                                      micros now) {
    enrolled out;
    auto done = transaction([&]() -> expected<void> {
        auto existing = hosts_where("WHERE osquery_host_id = ?", {details.osquery_host_id});
        host h;
        if (!existing.empty()) {
            h = existing[0];
            out.previous_node_key = h.node_key;
        } else {
            db_->execute("INSERT INTO hosts (osquery_host_id, created_at, updated_at) VALUES (?, "
                         "?, ?)",
                         {details.osquery_host_id, now, now});
            h.id = db_->last_insert_id();
            h.osquery_host_id = details.osquery_host_id;
            h.created_at = now;
            h.detail_updated_at = h.label_updated_at = h.policy_updated_at = long_ago;
            db_->execute("INSERT INTO label_membership (label_id, host_id) SELECT id, ? FROM "
                         "labels WHERE name = 'All Hosts' AND label_type = 1",
                         {h.id});
        }
        // The enroll details fill in what they have; known values are kept.
        for (const auto& c : str_columns)
            if (!(details.*c.field).empty())
                h.*c.field = details.*c.field;
        for (const auto& c : {&host::memory, &host::cpu_physical_cores, &host::cpu_logical_cores})
            if (details.*c)
                h.*c = details.*c;
        h.node_key = node_key;
        h.team_id = team_id;
        h.last_enrolled_at = now;
        h.seen_time = now;
        h.updated_at = now;
        write_host(h);
        out.h = std::move(h);
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

expected<std::vector<host>> sql_store::list_hosts() {
    return guarded([&]() -> expected<std::vector<host>> { return hosts_where("ORDER BY id", {}); });
}

expected<host> sql_store::host_by_id(std::int64_t id) {
    return guarded([&]() -> expected<host> {
        auto found = hosts_where("WHERE id = ?", {id});
        if (found.empty())
            return error::not_found("Host", std::to_string(id));
        return std::move(found[0]);
    });
}

expected<void> sql_store::update_host(const host& h) {
    return guarded([&]() -> expected<void> {
        write_host(h);
        return {};
    });
}

expected<void> sql_store::record_label_results(std::int64_t host_id,
                                               const std::vector<std::pair<std::int64_t, bool>>& r,
                                               micros now) {
    return transaction([&]() -> expected<void> {
        for (const auto& [label_id, member] : r) {
            db_->execute("DELETE FROM label_membership WHERE label_id = ? AND host_id = ?",
                         {label_id, host_id});
            if (member)
                db_->execute("INSERT INTO label_membership (label_id, host_id) SELECT id, ? FROM "
                             "labels WHERE id = ?",
                             {host_id, label_id});
        }
        db_->execute("UPDATE hosts SET label_updated_at = ? WHERE id = ?", {now, host_id});
        return {};
    });
}

expected<void> sql_store::record_policy_results(std::int64_t host_id,
                                                const std::vector<policy_result>& r, micros now) {
    return transaction([&]() -> expected<void> {
        for (const auto& p : r) {
            db_->execute("DELETE FROM policy_membership WHERE policy_id = ? AND host_id = ?",
                         {p.policy_id, host_id});
            sql_value passes = nullptr;
            if (p.passes)
                passes = std::int64_t{*p.passes ? 1 : 0};
            db_->execute("INSERT INTO policy_membership (policy_id, host_id, passes, updated_at) "
                         "SELECT id, ?, ?, ? FROM policies WHERE id = ?",
                         {host_id, passes, now, p.policy_id});
        }
        db_->execute("UPDATE hosts SET policy_updated_at = ? WHERE id = ?", {now, host_id});
        return {};
    });
}

expected<void> sql_store::delete_hosts(const std::vector<std::int64_t>& ids) {
    // Label and policy membership go with them (ON DELETE CASCADE).
    return transaction([&]() -> expected<void> {
        for (auto id : ids)
            db_->execute("DELETE FROM hosts WHERE id = ?", {id});
        return {};
    });
}

expected<std::vector<std::int64_t>> sql_store::set_hosts_team(const std::vector<std::int64_t>& ids,
                                                              std::optional<std::int64_t> team_id,
                                                              micros now) {
    std::vector<std::int64_t> wanted = ids;
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::vector<std::int64_t> moved;
    auto done = transaction([&]() -> expected<void> {
        // In chunks: one IN list per 500 ids keeps under every driver's
        // placeholder limit.
        constexpr std::size_t chunk = 500;
        for (std::size_t from = 0; from < wanted.size(); from += chunk) {
            const std::size_t to = std::min(wanted.size(), from + chunk);
            std::string marks;
            std::vector<sql_value> params;
            for (std::size_t i = from; i < to; ++i) {
                marks += i == from ? "?" : ", ?";
                params.emplace_back(wanted[i]);
            }
            for (const auto& r :
                 db_->query("SELECT id FROM hosts WHERE id IN (" + marks + ") ORDER BY id", params))
                moved.push_back(r.i64(0));
            params.insert(params.begin(),
                          {team_id ? sql_value(*team_id) : sql_value(nullptr), sql_value(now)});
            db_->execute("UPDATE hosts SET team_id = ?, updated_at = ? WHERE id IN (" + marks + ")",
                         params);
        }
        return {};
    });
    if (!done)
        return done.err();
    return moved;
}

expected<void>
sql_store::save_seen_times(const std::vector<std::pair<std::int64_t, micros>>& seen) {
    return transaction([&]() -> expected<void> {
        for (const auto& [id, at] : seen)
            db_->execute("UPDATE hosts SET seen_time = ? WHERE id = ?", {at, id});
        return {};
    });
}

expected<std::vector<std::int64_t>> sql_store::host_label_ids(std::int64_t host_id) {
    return guarded([&]() -> expected<std::vector<std::int64_t>> {
        std::vector<std::int64_t> out;
        for (const auto& r :
             db_->query("SELECT label_id FROM label_membership WHERE host_id = ? ORDER BY label_id",
                        {host_id}))
            out.push_back(r.i64(0));
        return out;
    });
}

expected<std::vector<policy_result>> sql_store::host_policy_results(std::int64_t host_id) {
    return guarded([&]() -> expected<std::vector<policy_result>> {
        std::vector<policy_result> out;
        for (const auto& r : db_->query("SELECT policy_id, passes FROM policy_membership WHERE "
                                        "host_id = ? ORDER BY policy_id",
                                        {host_id})) {
            std::optional<bool> passes;
            if (!r.is_null(1))
                passes = r.flag(1);
            out.push_back({r.i64(0), passes});
        }
        return out;
    });
}

expected<query_catalog> sql_store::load_query_catalog() {
    return guarded([&]() -> expected<query_catalog> {
        query_catalog c;
        for (const auto& r : db_->query("SELECT id, query, platform FROM labels WHERE "
                                        "label_membership_type = 0 ORDER BY id",
                                        {}))
            c.labels.push_back({r.i64(0), r.str(1), r.str(2)});
        for (const auto& r :
             db_->query("SELECT id, query, team_id, platforms FROM policies ORDER BY id", {}))
            c.policies.push_back({r.i64(0), r.str(1), r.opt_i64(2), r.str(3)});
        return c;
    });
}

expected<std::vector<host_pack>> sql_store::packs_for_host(std::int64_t host_id,
                                                           std::optional<std::int64_t> team_id) {
    return guarded([&]() -> expected<std::vector<host_pack>> {
        std::vector<host_pack> out;
        const std::int64_t team = team_id.value_or(-1);
        for (const auto& p : db_->query(
                 "SELECT id, name, platform FROM packs p WHERE EXISTS (SELECT 1 FROM pack_targets "
                 "t WHERE t.pack_id = p.id AND ((t.target_type = 0 AND p.disabled = 0 AND "
                 "t.target_id IN (SELECT label_id FROM label_membership WHERE host_id = ?)) OR "
                 "(t.target_type = 1 AND t.target_id = ?) OR (t.target_type = 2 AND t.target_id = "
                 "?))) ORDER BY p.id",
                 {host_id, host_id, team})) {
            host_pack hp{p.str(1), p.str(2), {}};
            for (const auto& q : db_->query(
                     "SELECT s.name, q.query, s.schedule_interval, s.snapshot, s.removed, s.shard, "
                     "s.platform, s.version, s.denylist FROM scheduled_queries s JOIN queries q ON "
                     "q.name = s.query_name WHERE s.pack_id = ? ORDER BY s.id",
                     {p.i64(0)})) {
                host_pack_query hq;
                hq.name = q.str(0);
                hq.sql = q.str(1);
                hq.interval = q.i64(2);
                read_schedule_options(q, 3, hq);
                hp.queries.push_back(std::move(hq));
            }
            out.push_back(std::move(hp));
        }
        return out;
    });
}

} // namespace flotilla::storage
