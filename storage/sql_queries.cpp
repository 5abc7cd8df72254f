/// Saved queries: the spec's upsert by name, and the REST API's rows by id
/// with their authors and the packs that schedule them.

#include "storage/sql_batch.hpp"
#include "storage/sql_store.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace flotilla::storage {

namespace {

constexpr const char* query_columns = "id, name, description, query, saved, observer_can_run, "
                                      "author_id, created_at, updated_at";

query query_from_row(const sql_row& r) {
    return query{r.i64(0),  r.str(1),     r.str(2), r.str(3), r.flag(4),
                 r.flag(5), r.opt_i64(6), r.i64(7), r.i64(8)};
}

} // namespace

expected<std::vector<query>> sql_store::saved_queries() {
    return guarded([&]() -> expected<std::vector<query>> {
        std::vector<query> out;
        for (const auto& r : db_->query(std::string("SELECT ") + query_columns +
                                            " FROM queries WHERE saved = 1 ORDER BY id",
                                        {}))
            out.push_back(query_from_row(r));
        return out;
    });
}

expected<query> sql_store::query_by_name(const std::string& name) {
    return guarded([&]() -> expected<query> {
        auto rows = db_->query(
            std::string("SELECT ") + query_columns + " FROM queries WHERE name = ?", {name});
        if (rows.empty())
            return error::not_found("Query", name);
        return query_from_row(rows[0]);
    });
}

expected<query> sql_store::query_by_id(std::int64_t id) {
    return guarded([&]() -> expected<query> {
        auto rows =
            db_->query(std::string("SELECT ") + query_columns + " FROM queries WHERE id = ?", {id});
        if (rows.empty())
            return error::not_found("Query", std::to_string(id));
        return query_from_row(rows[0]);
    });
}

expected<void> sql_store::apply_query_specs(const std::vector<query_spec>& specs,
                                            std::int64_t author_id, micros now) {
    return transaction([&]() -> expected<void> {
        const auto dialect = db_->dialect();
        std::vector<std::string> names;
        names.reserve(specs.size());
        for (const auto& s : specs)
            names.push_back(s.name);
        const auto existing = batch::ids_by_name(*db_, "queries", names);
        // One row per name, in the order names first appear; the last spec wins.
        std::vector<const query_spec*> rows;
        std::unordered_map<std::string, std::size_t> at;
        for (const auto& s : specs) {
            auto [it, added] = at.emplace(batch::name_key(dialect, s.name), rows.size());
            if (added)
                rows.push_back(&s);
            else
                rows[it->second] = &s;
        }
        std::vector<batch::row> inserts, updates;
        for (const auto* s : rows) {
            const std::int64_t observer = s->observer_can_run ? 1 : 0;
            if (auto id = existing.find(batch::name_key(dialect, s->name)); id != existing.end())
                updates.push_back({id->second, s->name, now, s->description, s->query,
                                   std::int64_t{1}, observer, author_id, now});
            else
                inserts.push_back(
                    {s->name, s->description, s->query, observer, author_id, now, now});
        }
        batch::insert_rows(*db_,
                           "INSERT INTO queries (name, description, query, saved, "
                           "observer_can_run, author_id, created_at, updated_at) VALUES ",
                           "(?, ?, ?, 1, ?, ?, ?, ?)", "", inserts);
        batch::update_rows(
            *db_, "queries",
            {"description", "query", "saved", "observer_can_run", "author_id", "updated_at"},
            updates);
        return {};
    });
}

std::vector<query_details> sql_store::query_details_where(const std::string& where,
                                                          const std::vector<sql_value>& params) {
    std::vector<query_details> out;
    std::map<std::string, std::size_t> by_name;
    // The author's id comes from the users row: null once the author is deleted.
    for (const auto& r : db_->query(
             "SELECT q.id, q.name, q.description, q.query, q.saved, q.observer_can_run, u.id, "
             "q.created_at, q.updated_at, COALESCE(u.name, ''), COALESCE(u.email, '') FROM "
             "queries q LEFT JOIN users u ON u.id = q.author_id WHERE q.saved = 1" +
                 where + " ORDER BY q.id",
             params)) {
        query_details d;
        d.q = query_from_row(r);
        d.author_name = r.str(9);
        d.author_email = r.str(10);
        by_name.emplace(d.q.name, out.size());
        out.push_back(std::move(d));
    }
    if (out.empty())
        return out;
    std::string sql = "SELECT DISTINCT sq.query_name, p.id, p.name, p.description, p.platform, "
                      "p.disabled, p.pack_type, p.created_at, p.updated_at FROM "
                      "scheduled_queries sq JOIN packs p ON p.id = sq.pack_id";
    std::vector<sql_value> pack_params;
    if (out.size() == 1) {
        sql += " WHERE sq.query_name = ?";
        pack_params.emplace_back(out.front().q.name);
    }
    for (const auto& r : db_->query(sql + " ORDER BY p.id", pack_params)) {
        auto at = by_name.find(r.str(0));
        if (at == by_name.end())
            continue;
        out[at->second].packs.push_back(query_pack{r.i64(1), r.str(2), r.str(3), r.str(4),
                                                   r.flag(5), r.opt_str(6), r.i64(7), r.i64(8)});
    }
    return out;
}

expected<std::vector<query_details>> sql_store::saved_query_details() {
    return guarded(
        [&]() -> expected<std::vector<query_details>> { return query_details_where("", {}); });
}

expected<query_details> sql_store::saved_query_details_by_id(std::int64_t id) {
    return guarded([&]() -> expected<query_details> {
        auto found = query_details_where(" AND q.id = ?", {id});
        if (found.empty())
            return error::not_found("Query", std::to_string(id));
        return std::move(found.front());
    });
}

expected<std::int64_t> sql_store::new_saved_query(const query& q, micros now) {
    return guarded([&]() -> expected<std::int64_t> {
        sql_value author = nullptr;
        if (q.author_id)
            author = *q.author_id;
        db_->execute("INSERT INTO queries (name, description, query, saved, observer_can_run, "
                     "author_id, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
                     {q.name, q.description, q.sql, std::int64_t{q.observer_can_run ? 1 : 0},
                      author, now, now});
        return db_->last_insert_id();
    });
}

expected<void> sql_store::update_saved_query(const query& q, micros now) {
    return guarded([&]() -> expected<void> {
        // MariaDB counts changed rows, not matched ones: ask whether it exists.
        if (db_->query("SELECT id FROM queries WHERE id = ? AND saved = 1", {q.id}).empty())
            return error::not_found("Query", std::to_string(q.id));
        db_->execute(
            "UPDATE queries SET name = ?, description = ?, query = ?, "
            "observer_can_run = ?, updated_at = ? WHERE id = ?",
            {q.name, q.description, q.sql, std::int64_t{q.observer_can_run ? 1 : 0}, now, q.id});
        return {};
    });
}

expected<std::int64_t> sql_store::delete_saved_queries(const std::vector<std::int64_t>& ids) {
    std::vector<std::int64_t> unique = ids;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    std::int64_t deleted = 0;
    // In chunks: SQLite bounds the number of parameters of one statement.
    constexpr std::size_t chunk = 500;
    auto done = transaction([&]() -> expected<void> {
        for (std::size_t from = 0; from < unique.size(); from += chunk) {
            const std::size_t to = std::min(unique.size(), from + chunk);
            std::string marks;
            std::vector<sql_value> params;
            for (std::size_t i = from; i < to; ++i) {
                marks += marks.empty() ? "?" : ", ?";
                params.emplace_back(unique[i]);
            }
            // Scheduled queries go with them (ON DELETE CASCADE on query_name).
            deleted += db_->execute("DELETE FROM queries WHERE saved = 1 AND id IN (" + marks + ")",
                                    params);
        }
        return {};
    });
    if (!done)
        return done.err();
    return deleted;
}

} // namespace flotilla::storage
