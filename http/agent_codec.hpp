#pragma once
/// The bodies of the check-in hot path: decoding a distributed/write and encoding
/// a distributed/read answer. Apart from the handlers so the micro-benchmarks
/// (benchmarks/checkin_hotpath) measure exactly this code.

#include "actors/host_registry.hpp"
#include "model/error.hpp"

#include <boost/json/object.hpp>
#include <vector>

namespace flotilla::http {

/// The answers in a distributed/write body (`queries`, `statuses`, `messages`);
/// a status that is not a number is a bad request.
expected<std::vector<actors::query_result>> decode_write(const boost::json::object& body);

/// `{"queries":{name: sql, ...}}`, with `"accelerate":10` when asked for.
boost::json::object encode_read(const actors::read_answer& answer);

} // namespace flotilla::http
