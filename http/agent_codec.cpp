#include "http/agent_codec.hpp"

#include "http/gzip.hpp"
#include "model/json.hpp"
#include "model/text.hpp"

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

/// A query's status code: an integer, or a string holding one (older osquery).
expected<std::int64_t> status_code(const std::string& name, const bj::value& st) {
    std::optional<std::int64_t> code;
    if (st.is_number())
        code = json::to_int64(st);
    else if (st.is_string())
        code = json::parse_int64(st.get_string());
    if (!code)
        return error::bad_request("statuses." + name + " is not an integer of at most 64 bits");
    return *code;
}

} // namespace

expected<bj::object> decode_agent_body(std::string_view body, std::string_view content_encoding) {
    if (content_encoding == "gzip") {
        auto inflated = gunzip(body);
        if (!inflated)
            return inflated.err();
        return json::parse_object(*inflated);
    }
    return json::parse_object(body);
}

expected<std::string> decode_node_key(const bj::object& body) {
    json::reader r(body);
    auto key = r.str("node_key");
    if (r.failure())
        return *r.failure();
    return key.value_or("");
}

expected<enroll_request> decode_enroll(const bj::object& body) {
    json::reader r(body);
    enroll_request out;
    out.secret = r.str("enroll_secret").value_or("");
    out.h.osquery_host_id = r.str("host_identifier").value_or("");
    const bj::object* details = r.object("host_details");
    if (r.failure())
        return *r.failure();
    if (char_count(out.h.osquery_host_id) > max_text_chars)
        return error::bad_request("host_identifier is longer than " +
                                  std::to_string(max_text_chars) + " characters");
    if (details)
        ingest_enroll_details(out.h, *details);
    return out;
}

expected<log_request> decode_log(const bj::object& body) {
    json::reader r(body);
    const std::string type = r.str("log_type").value_or("");
    const bj::array* data = r.array("data");
    if (r.failure())
        return *r.failure();
    if (type != "result" && type != "status")
        return error::bad_request("unknown log type: " + type);
    log_request out;
    out.kind = type == "result" ? actors::log_kind::result : actors::log_kind::status;
    if (data) {
        out.lines.reserve(data->size());
        for (const auto& entry : *data)
            out.lines.push_back(bj::serialize(entry));
    }
    return out;
}

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
    out.reserve(queries->size());
    for (const auto& kv : *queries) {
        actors::query_result q;
        q.name = std::string(kv.key());
        if (const auto* rows = kv.value().if_array()) // "" from old osquery: no rows
            for (const auto& row : *rows)
                if (auto parsed = to_row(row))
                    q.rows.push_back(std::move(*parsed));
        if (statuses)
            if (const bj::value* st = statuses->if_contains(kv.key())) {
                auto code = status_code(q.name, *st);
                if (!code)
                    return code.err();
                q.failed = *code != 0;
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
