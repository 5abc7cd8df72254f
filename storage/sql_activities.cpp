/// The activity feed: appended rows, listed with ORDER BY / LIMIT in the store
/// (the feed grows with every login and live query).

#include "storage/sql_store.hpp"

#include <boost/json.hpp>

namespace flotilla::storage {

namespace bj = boost::json;

expected<std::int64_t> sql_store::new_activity(const activity& a) {
    return guarded([&]() -> expected<std::int64_t> {
        sql_value user = nullptr;
        if (a.actor_id)
            user = *a.actor_id;
        db_->execute(
            "INSERT INTO activities (created_at, user_id, user_name, user_email, "
            "activity_type, details) VALUES (?, ?, ?, ?, ?, ?)",
            {a.created_at, user, a.actor_name, a.actor_email, a.type, bj::serialize(a.details)});
        return db_->last_insert_id();
    });
}

expected<std::vector<activity>> sql_store::list_activities(const std::string& order_column,
                                                           bool descending, std::int64_t offset,
                                                           std::optional<std::int64_t> limit) {
    const char* column = order_column == "id"           ? "a.id"
                         : order_column == "created_at" ? "a.created_at"
                         : order_column == "type"       ? "a.activity_type"
                                                        : nullptr;
    if (!column)
        return error::invalid("order_key", "cannot order activities by '" + order_column + "'");
    return guarded([&]() -> expected<std::vector<activity>> {
        std::string sql = "SELECT a.id, a.created_at, u.id, a.user_name, a.user_email, "
                          "u.gravatar_url, a.activity_type, a.details FROM activities a LEFT "
                          "JOIN users u ON u.id = a.user_id ORDER BY " +
                          std::string(column) + (descending ? " DESC" : " ASC") + ", a.id" +
                          (descending ? " DESC" : " ASC");
        std::vector<sql_value> params;
        if (limit || offset > 0) {
            sql += " LIMIT ? OFFSET ?";
            params.emplace_back(limit.value_or(std::numeric_limits<std::int64_t>::max()));
            params.emplace_back(offset);
        }
        std::vector<activity> out;
        for (const auto& r : db_->query(sql, params)) {
            activity a;
            a.id = r.i64(0);
            a.created_at = r.i64(1);
            a.actor_id = r.opt_i64(2);
            a.actor_name = r.str(3);
            a.actor_email = r.str(4);
            if (a.actor_id)
                a.actor_gravatar = r.str(5);
            a.type = r.str(6);
            a.details = bj::parse(r.str(7));
            out.push_back(std::move(a));
        }
        return out;
    });
}

} // namespace flotilla::storage
