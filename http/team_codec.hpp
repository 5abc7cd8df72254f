#pragma once
/// The request bodies of the teams routes (fleet-rest.md §5.2, and §8.2's
/// /fleets) and of the host transfers (§4.2). Malformed JSON or a wrong type at
/// a key is a bad_request; validation is the service's (service/teams.hpp).
/// Apart from the handlers so they are unit-tested and fuzzed alone.

#include "model/error.hpp"
#include "service/host_queries.hpp"
#include "service/teams.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::http {

/// POST /teams and PATCH /teams/{id}: `{"name", "description"}`; nullopt =
/// absent or null.
struct team_payload {
    std::optional<std::string> name;
    std::optional<std::string> description;
};
expected<team_payload> decode_team_payload(std::string_view body);

/// POST /teams/{id}/agent_options: the body is the options, a JSON object.
expected<boost::json::value> decode_agent_options(std::string_view body);

/// PATCH /teams/{id}/secrets: `{"secrets": [{"secret": "..."}]}` (the key is
/// required; `[]` removes every secret).
expected<std::vector<std::string>> decode_team_secrets(std::string_view body);

/// PATCH and DELETE /teams/{id}/users: `{"users": [{"id": N, "role": "..."}]}`
/// (the key is required; ids positive; `role` read as given, "" when absent).
expected<std::vector<service::team_member_payload>> decode_team_members(std::string_view body);

/// POST /hosts/transfer: `{"team_id": N|null, "hosts": [ids]}`.
struct transfer_request {
    std::optional<std::int64_t> team_id; ///< nullopt: no team
    std::vector<std::int64_t> host_ids;
};
expected<transfer_request> decode_transfer(std::string_view body);

/// POST /hosts/transfer/filter: `{"team_id": N|null, "filters": {"query",
/// "status", "label_id"}}` (`filters` is required: `{}` moves every host).
struct transfer_filter_request {
    std::optional<std::int64_t> team_id;
    service::host_filter filter;
};
expected<transfer_filter_request> decode_transfer_filter(std::string_view body);

} // namespace flotilla::http
