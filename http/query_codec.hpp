#pragma once
/// The request bodies of the saved query routes (fleet-rest.md §5.3). Malformed
/// JSON or a wrong type at a key is a bad_request; validation is the service's.
/// Apart from the handlers so they are unit-tested and fuzzed alone.

#include "model/error.hpp"
#include "service/queries.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace flotilla::http {

/// POST /queries and PATCH /queries/{id}: `{"name", "description", "query",
/// "observer_can_run"}`, each optional; other keys are ignored.
expected<service::query_payload> decode_query_payload(std::string_view body);

/// POST /queries/delete: `{"ids": [...]}`, whole numbers from 0 to 2^63-1;
/// absent or null is no ids.
expected<std::vector<std::int64_t>> decode_query_ids(std::string_view body);

} // namespace flotilla::http
