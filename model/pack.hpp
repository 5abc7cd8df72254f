#pragma once
/// Packs of scheduled queries and the pack spec (fleet-behaviour.md §3 Packs).

#include "model/error.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

/// One scheduled query of a pack. Optional fields are stored NULL when unset
/// and shown only when set.
struct scheduled_query_spec {
    std::string query; ///< the saved query's name
    std::string name;  ///< defaults to `query`
    std::string description;
    std::int64_t interval = 0;
    std::optional<bool> snapshot;
    std::optional<bool> removed;
    std::optional<std::int64_t> shard;
    std::optional<std::string> platform;
    std::optional<std::string> version;
    std::optional<bool> denylist;
};

struct pack_spec {
    std::int64_t id = 0; ///< ignored on apply
    std::string name;
    std::string description;
    std::string platform;
    bool disabled = false;
    std::vector<std::string> target_labels; ///< label names
    std::vector<std::string> target_teams;  ///< team names
    std::vector<scheduled_query_spec> queries;
};

/// Decodes `{"specs": [...]}`; wrong types are bad_request.
expected<std::vector<pack_spec>> decode_pack_specs(const boost::json::object& body);

/// Field errors (422) that need no store: empty names, negative interval or shard.
std::vector<field_error> validate(const pack_spec& p);

/// Fleet's PackSpec JSON: description/platform omitted when empty, targets
/// labels/teams null when empty, queries omitted when none.
boost::json::value to_json(const pack_spec& p);

} // namespace flotilla
