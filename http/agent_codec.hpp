#pragma once
/// The bodies of the osquery endpoints: decoding what agents send (untrusted
/// bytes: every decoder here is fuzzed, tests/fuzz) and encoding a
/// distributed/read answer. Apart from the handlers so the micro-benchmarks
/// (benchmarks/checkin_hotpath) and the fuzzers exercise exactly this code.

#include "actors/host_registry.hpp"
#include "actors/log_writer.hpp"
#include "model/error.hpp"
#include "model/host.hpp"

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::http {

/// The body as a JSON object, inflated first when `content_encoding` is gzip.
expected<boost::json::object> decode_agent_body(std::string_view body,
                                                std::string_view content_encoding);

/// `node_key` ("" when absent); a non-string is a bad request.
expected<std::string> decode_node_key(const boost::json::object& body);

/// POST /enroll: the secret and what the agent says about itself.
struct enroll_request {
    std::string secret;
    host h; ///< osquery_host_id and the enroll details
};
expected<enroll_request> decode_enroll(const boost::json::object& body);

/// POST /log: the lines for one of the log files.
struct log_request {
    actors::log_kind kind = actors::log_kind::status;
    std::vector<std::string> lines; ///< one serialised JSON value each
};
expected<log_request> decode_log(const boost::json::object& body);

/// The answers in a distributed/write body (`queries`, `statuses`, `messages`);
/// a status that is not an integer of at most 64 bits is a bad request naming it.
expected<std::vector<actors::query_result>> decode_write(const boost::json::object& body);

/// `{"queries":{name: sql, ...}}`, with `"accelerate":10` when asked for.
boost::json::object encode_read(const actors::read_answer& answer);

} // namespace flotilla::http
