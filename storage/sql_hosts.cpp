/// Hosts: enrollment, details, label and policy results, seen times, and the
/// queries and packs that apply to them.

#include "storage/sql_batch.hpp"
#include "storage/sql_store.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

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

const std::string& host_select() {
    static const std::string sql = "SELECT id, osquery_host_id, node_key, team_id, "
                                   "refetch_requested, created_at, " +
                                   column_list("") + " FROM hosts ";
    return sql;
}

std::vector<host> read_hosts(const std::vector<sql_row>& rows) {
    std::vector<host> out;
    for (const auto& r : rows) {
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

std::vector<sql_value> values_of(const std::vector<std::int64_t>& ids) {
    return {ids.begin(), ids.end()};
}

} // namespace

std::vector<host> sql_store::hosts_where(const std::string& where,
                                         const std::vector<sql_value>& params) {
    return read_hosts(db_->query(host_select() + where, params));
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

expected<std::vector<host_store::enrolled>>
sql_store::enroll_hosts(const std::vector<enroll_request>& given, micros now) {
    std::vector<enrolled> out;
    out.reserve(given.size());
    auto done = transaction([&]() -> expected<void> {
        // Sub-batches of distinct identifiers, so a repeat re-enrolls the row
        // the earlier request wrote.
        std::size_t from = 0;
        while (from < given.size()) {
            std::unordered_set<std::string_view> ids;
            std::size_t to = from;
            while (to < given.size() && ids.insert(given[to].details.osquery_host_id).second)
                ++to;
            enroll_distinct(given, from, to, now, out);
            from = to;
        }
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

void sql_store::enroll_distinct(const std::vector<enroll_request>& requests, std::size_t from,
                                std::size_t to, micros now, std::vector<enrolled>& out) {
    const std::size_t n = to - from;
    std::vector<sql_value> identifiers;
    for (std::size_t i = from; i < to; ++i)
        identifiers.emplace_back(requests[i].details.osquery_host_id);
    std::unordered_map<std::string, host> known;
    for (auto& h : read_hosts(batch::select_in(*db_, host_select() + "WHERE osquery_host_id IN (",
                                               ")", identifiers)))
        known.emplace(h.osquery_host_id, std::move(h));

    std::vector<enrolled> rows(n);
    std::vector<std::size_t> fresh; // indexes into rows of hosts to insert
    for (std::size_t i = 0; i < n; ++i) {
        const auto& req = requests[from + i];
        host& h = rows[i].h;
        if (auto it = known.find(req.details.osquery_host_id); it != known.end()) {
            h = std::move(it->second);
            rows[i].previous_node_key = h.node_key;
        } else {
            h.osquery_host_id = req.details.osquery_host_id;
            h.created_at = now;
            h.detail_updated_at = h.label_updated_at = h.policy_updated_at = long_ago;
            fresh.push_back(i);
        }
        // The enroll details fill in what they have; known values are kept.
        for (const auto& c : str_columns)
            if (!(req.details.*c.field).empty())
                h.*c.field = req.details.*c.field;
        for (const auto& c : {&host::memory, &host::cpu_physical_cores, &host::cpu_logical_cores})
            if (req.details.*c)
                h.*c = req.details.*c;
        h.node_key = req.node_key;
        h.team_id = req.team_id;
        h.last_enrolled_at = now;
        h.seen_time = now;
        h.updated_at = now;
    }

    // New hosts: multi-row inserts of whole rows, then their ids, then All Hosts.
    static const std::string insert_sql =
        "INSERT INTO hosts (osquery_host_id, node_key, team_id, refetch_requested, created_at, " +
        column_list("") + ") VALUES ";
    static const std::string group =
        "(" + batch::repeat("?", 5 + std::size(str_columns) + std::size(int_columns)) + ")";
    std::vector<batch::row> inserts;
    std::vector<sql_value> fresh_ids;
    std::unordered_map<std::string, std::size_t> row_of;
    for (auto i : fresh) {
        const host& h = rows[i].h;
        batch::row r{h.osquery_host_id, h.node_key,
                     h.team_id ? sql_value(*h.team_id) : sql_value(nullptr),
                     std::int64_t{h.refetch_requested}, h.created_at};
        for (auto& v : column_values(h))
            r.push_back(std::move(v));
        inserts.push_back(std::move(r));
        fresh_ids.emplace_back(h.osquery_host_id);
        row_of.emplace(h.osquery_host_id, i);
    }
    batch::insert_rows(*db_, insert_sql, group, "", inserts);
    std::vector<sql_value> ids;
    for (const auto& r :
         batch::select_in(*db_, "SELECT id, osquery_host_id FROM hosts WHERE osquery_host_id IN (",
                          ")", fresh_ids)) {
        rows[row_of.at(r.str(1))].h.id = r.i64(0);
        ids.emplace_back(r.i64(0));
    }
    batch::execute_in(*db_,
                      "INSERT INTO label_membership (label_id, host_id) SELECT l.id, h.id FROM "
                      "labels l JOIN hosts h ON h.id IN (",
                      ") WHERE l.name = 'All Hosts' AND l.label_type = 1", ids);
    // Known hosts (re-enrollment, rare): one update each.
    std::vector<bool> is_fresh(n);
    for (auto i : fresh)
        is_fresh[i] = true;
    for (std::size_t i = 0; i < n; ++i)
        if (!is_fresh[i])
            write_host(rows[i].h);
    for (auto& r : rows)
        out.push_back(std::move(r));
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

std::vector<std::int64_t> sql_store::existing_ids(const char* table,
                                                  std::vector<std::int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<std::int64_t> out;
    for (const auto& r : batch::select_in(
             *db_, std::string("SELECT id FROM ") + table + " WHERE id IN (", ")", values_of(ids)))
        out.push_back(r.i64(0));
    std::sort(out.begin(), out.end());
    return out;
}

void sql_store::set_column_by_id(const char* table, const char* column,
                                 const std::vector<std::pair<std::int64_t, std::int64_t>>& values) {
    // The last value given for an id wins.
    std::map<std::int64_t, std::int64_t> last;
    for (const auto& [id, v] : values)
        last[id] = v;
    std::vector<batch::row> rows;
    rows.reserve(last.size());
    for (const auto& [id, v] : last)
        rows.push_back({id, v});
    for (const auto& [a, b] : batch::chunks_of(db_->dialect(), rows)) {
        std::vector<sql_value> params;
        params.reserve((b - a) * 3);
        for (std::size_t i = a; i < b; ++i)
            params.insert(params.end(), rows[i].begin(), rows[i].end());
        for (std::size_t i = a; i < b; ++i)
            params.push_back(rows[i][0]);
        db_->execute(std::string("UPDATE ") + table + " SET " + column + " = CASE id " +
                         batch::repeat("WHEN ? THEN ?", b - a, " ") + " END WHERE id IN (" +
                         batch::repeat("?", b - a) + ")",
                     params);
    }
}

namespace {

/// Keeps the results of the hosts and rows (labels or policies) that exist.
template <class Batch, class Id>
auto known_results(const Batch& batch, const std::vector<std::int64_t>& hosts,
                   const std::vector<std::int64_t>& targets, Id target_id) {
    std::vector<std::pair<std::int64_t, typename decltype(batch[0].results)::value_type>> out;
    for (const auto& b : batch) {
        if (!std::binary_search(hosts.begin(), hosts.end(), b.host_id))
            continue;
        for (const auto& r : b.results)
            if (std::binary_search(targets.begin(), targets.end(), target_id(r)))
                out.emplace_back(b.host_id, r);
    }
    return out;
}

template <class Batch> std::vector<std::int64_t> host_ids_of(const Batch& batch) {
    std::vector<std::int64_t> ids;
    ids.reserve(batch.size());
    for (const auto& b : batch)
        ids.push_back(b.host_id);
    return ids;
}

/// The update times of the batch's hosts that exist.
template <class Batch>
std::vector<std::pair<std::int64_t, std::int64_t>>
update_times(const Batch& batch, const std::vector<std::int64_t>& hosts) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& b : batch)
        if (std::binary_search(hosts.begin(), hosts.end(), b.host_id))
            out.emplace_back(b.host_id, b.at);
    return out;
}

} // namespace

expected<void> sql_store::record_label_batch(const std::vector<label_results>& given) {
    return transaction([&]() -> expected<void> {
        std::vector<std::int64_t> labels;
        for (const auto& b : given)
            for (const auto& r : b.results)
                labels.push_back(r.first);
        const auto hosts = existing_ids("hosts", host_ids_of(given));
        const auto known = known_results(given, hosts, existing_ids("labels", std::move(labels)),
                                         [](const auto& r) { return r.first; });
        std::vector<std::pair<std::int64_t, std::int64_t>> members, others; // (label, host)
        for (const auto& [host_id, r] : known)
            (r.second ? members : others).emplace_back(r.first, host_id);
        std::vector<batch::row> gone, in;
        for (const auto& [label, host_id] : others)
            gone.push_back({label, host_id});
        for (const auto& [label, host_id] : members)
            in.push_back({label, host_id});
        for (const auto& [a, b] : batch::chunks_of(db_->dialect(), gone)) {
            std::vector<sql_value> params;
            for (std::size_t i = a; i < b; ++i)
                params.insert(params.end(), gone[i].begin(), gone[i].end());
            db_->execute("DELETE FROM label_membership WHERE " +
                             batch::repeat("(label_id = ? AND host_id = ?)", b - a, " OR "),
                         params);
        }
        const char* insert =
            db_->dialect() == sql_dialect::mysql ? "INSERT IGNORE INTO" : "INSERT OR IGNORE INTO";
        batch::insert_rows(*db_,
                           std::string(insert) + " label_membership (label_id, host_id) VALUES ",
                           "(?, ?)", "", in);
        set_column_by_id("hosts", "label_updated_at", update_times(given, hosts));
        return {};
    });
}

expected<void> sql_store::record_policy_batch(const std::vector<policy_results>& given) {
    return transaction([&]() -> expected<void> {
        std::vector<std::int64_t> policies;
        for (const auto& b : given)
            for (const auto& r : b.results)
                policies.push_back(r.policy_id);
        const auto hosts = existing_ids("hosts", host_ids_of(given));
        const auto known =
            known_results(given, hosts, existing_ids("policies", std::move(policies)),
                          [](const policy_result& r) { return r.policy_id; });
        std::unordered_map<std::int64_t, micros> at;
        for (const auto& b : given)
            at[b.host_id] = b.at;
        const std::string upsert =
            db_->dialect() == sql_dialect::mysql
                ? " ON DUPLICATE KEY UPDATE passes = VALUES(passes), updated_at = "
                  "VALUES(updated_at)"
                : " ON CONFLICT (policy_id, host_id) DO UPDATE SET passes = excluded.passes, "
                  "updated_at = excluded.updated_at";
        std::vector<batch::row> rows;
        rows.reserve(known.size());
        for (const auto& [host_id, r] : known)
            rows.push_back(
                {r.policy_id, host_id,
                 r.passes ? sql_value(std::int64_t{*r.passes ? 1 : 0}) : sql_value(nullptr),
                 at.at(host_id)});
        batch::insert_rows(
            *db_, "INSERT INTO policy_membership (policy_id, host_id, passes, updated_at) VALUES ",
            "(?, ?, ?, ?)", upsert, rows);
        set_column_by_id("hosts", "policy_updated_at", update_times(given, hosts));
        return {};
    });
}

expected<std::vector<host>> sql_store::hosts_by_ids(const std::vector<std::int64_t>& ids) {
    return guarded([&]() -> expected<std::vector<host>> {
        auto out = read_hosts(
            batch::select_in(*db_, host_select() + "WHERE id IN (", ")", values_of(ids)));
        std::sort(out.begin(), out.end(), [](const host& x, const host& y) { return x.id < y.id; });
        out.erase(std::unique(out.begin(), out.end(),
                              [](const host& x, const host& y) { return x.id == y.id; }),
                  out.end());
        return out;
    });
}

expected<void> sql_store::update_hosts(const std::vector<host>& hosts) {
    return transaction([&]() -> expected<void> {
        for (const auto& h : hosts)
            write_host(h);
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
        set_column_by_id("hosts", "seen_time", seen);
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

expected<std::vector<host_store::pack_entry>> sql_store::pack_catalog() {
    return guarded([&]() -> expected<std::vector<pack_entry>> {
        std::vector<pack_entry> out;
        std::unordered_map<std::int64_t, std::size_t> at;
        for (const auto& p :
             db_->query("SELECT id, name, platform, disabled FROM packs ORDER BY id", {})) {
            at.emplace(p.i64(0), out.size());
            pack_entry e;
            e.id = p.i64(0);
            e.pack.name = p.str(1);
            e.pack.platform = p.str(2);
            e.disabled = p.flag(3);
            out.push_back(std::move(e));
        }
        for (const auto& t : db_->query(
                 "SELECT pack_id, target_type, target_id FROM pack_targets ORDER BY pack_id, "
                 "target_type, target_id",
                 {})) {
            auto it = at.find(t.i64(0));
            if (it == at.end())
                continue;
            auto& e = out[it->second];
            switch (t.i64(1)) {
            case pack_target_label:
                e.label_ids.push_back(t.i64(2));
                break;
            case pack_target_team:
                e.team_ids.push_back(t.i64(2));
                break;
            case 1:
                e.host_ids.push_back(t.i64(2));
                break; // a host
            default:
                break;
            }
        }
        for (const auto& q : db_->query(
                 "SELECT s.pack_id, s.name, q.query, s.schedule_interval, s.snapshot, s.removed, "
                 "s.shard, s.platform, s.version, s.denylist FROM scheduled_queries s JOIN queries "
                 "q ON q.name = s.query_name ORDER BY s.pack_id, s.id",
                 {})) {
            auto it = at.find(q.i64(0));
            if (it == at.end())
                continue;
            host_pack_query hq;
            hq.name = q.str(1);
            hq.sql = q.str(2);
            hq.interval = q.i64(3);
            read_schedule_options(q, 4, hq);
            out[it->second].pack.queries.push_back(std::move(hq));
        }
        return out;
    });
}

expected<std::vector<std::pair<std::int64_t, std::int64_t>>>
sql_store::label_members(const std::vector<std::int64_t>& label_ids) {
    return guarded([&]() -> expected<std::vector<std::pair<std::int64_t, std::int64_t>>> {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        for (const auto& r : batch::select_in(
                 *db_, "SELECT host_id, label_id FROM label_membership WHERE label_id IN (", ")",
                 values_of(label_ids)))
            out.emplace_back(r.i64(0), r.i64(1));
        return out;
    });
}

} // namespace flotilla::storage
