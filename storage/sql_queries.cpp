/// Saved queries.

#include "storage/sql_store.hpp"

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
        for (const auto& s : specs) {
            const std::int64_t observer = s.observer_can_run ? 1 : 0;
            if (auto id = id_by_name("queries", s.name))
                db_->execute("UPDATE queries SET description = ?, query = ?, saved = 1, "
                             "observer_can_run = ?, author_id = ?, updated_at = ? WHERE id = ?",
                             {s.description, s.query, observer, author_id, now, *id});
            else
                db_->execute("INSERT INTO queries (name, description, query, saved, "
                             "observer_can_run, author_id, created_at, updated_at) VALUES (?, ?, "
                             "?, 1, ?, ?, ?, ?)",
                             {s.name, s.description, s.query, observer, author_id, now, now});
        }
        return {};
    });
}

} // namespace flotilla::storage
