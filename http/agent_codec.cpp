#include "http/agent_codec.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

/// A row's values as strings (osquery sends strings; numbers are tolerated).
std::optional<result_row> to_row(const bj::value& v) {
    if (!v.is_object())
        return std::nullopt;
    result_row row;
    for (const auto& kv : v.get_object()) {
        if (kv.value().is_string())
            row[std::string(kv.key())] = std::string(kv.value().get_string());
        else if (kv.value().is_number() || kv.value().is_bool())
            row[std::string(kv.key())] = bj::serialize(kv.value());
        else if (kv.value().is_null())
            row[std::string(kv.key())] = "";
    }
    return row;
}

} // namespace

expected<std::vector<actors::query_result>> decode_write(const bj::object& body) {
    json::reader r(body);
    const bj::object* queries = r.object("queries");
    const bj::object* statuses = r.object("statuses");
    const bj::object* messages = r.object("messages");
    if (r.failure())
        return *r.failure();
    std::vector<actors::query_result> out;
    if (!queries)
        return out;
    for (const auto& kv : *queries) {
        actors::query_result q;
        q.name = std::string(kv.key());
        if (const auto* rows = kv.value().if_array()) // "" from old osquery: no rows
            for (const auto& row : *rows)
                if (auto parsed = to_row(row))
                    q.rows.push_back(std::move(*parsed));
        if (statuses)
            if (const bj::value* st = statuses->if_contains(kv.key())) {
                std::int64_t code = 0;
                if (st->is_int64())
                    code = st->get_int64();
                else if (st->is_uint64())
                    code = static_cast<std::int64_t>(st->get_uint64());
                else if (st->is_string() && !st->get_string().empty() &&
                         st->get_string().find_first_not_of("-0123456789") == bj::string::npos)
                    code = std::stoll(std::string(st->get_string()));
                else
                    return error::bad_request("status of " + q.name + " is not a number");
                q.failed = code != 0;
            }
        if (messages)
            if (const bj::value* m = messages->if_contains(kv.key()); m && m->is_string())
                q.message = std::string(m->get_string());
        out.push_back(std::move(q));
    }
    return out;
}

bj::object encode_read(const actors::read_answer& answer) {
    bj::object queries;
    queries.reserve(answer.queries.size());
    for (const auto& [name, sql] : answer.queries)
        queries[name] = sql;
    bj::object out{{"queries", std::move(queries)}};
    if (answer.accelerate)
        out["accelerate"] = 10;
    return out;
}

} // namespace flotilla::http
