#pragma once
/// Saved and ad-hoc queries, and the query spec (fleet-behaviour.md §3 Queries).

#include "model/clock.hpp"
#include "model/error.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

struct query {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    std::string sql;
    bool saved = true; ///< false for a live query's ad-hoc SQL
    bool observer_can_run = false;
    std::optional<std::int64_t> author_id;
    micros created_at = 0;
    micros updated_at = 0;
};

/// A pack that schedules a saved query, as the query object lists it.
struct query_pack {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    std::string platform;
    bool disabled = false;
    std::optional<std::string> type; ///< nullopt for a user pack ("global", "team-N": schedules)
    micros created_at = 0;
    micros updated_at = 0;
};

/// A saved query with what the REST API shows beside it (fleet-rest.md §5.3).
struct query_details {
    query q; ///< author_id is nullopt once the author is deleted
    std::string author_name;
    std::string author_email;
    std::vector<query_pack> packs; ///< in pack id order, each once
};

/// Fleet's query object: created_at, updated_at, id, name, description, query,
/// saved, observer_can_run, author_id (null if none), author_name,
/// author_email, packs and stats (Flotilla keeps no query statistics: the
/// percentiles are null and total_executions 0).
boost::json::object to_json(const query_details& d);

/// One entry of POST /spec/queries.
struct query_spec {
    std::string name;
    std::string description;
    std::string query;
    bool observer_can_run = false;
};

/// Decodes `{"specs": [...]}`; wrong types are bad_request.
expected<std::vector<query_spec>> decode_query_specs(const boost::json::object& body);

/// True when `s` is empty or only whitespace.
bool is_blank(const std::string& s);

/// Field errors (422) of one spec: empty or blank name, a name past the length
/// limit, empty or blank SQL, ATTACH.
std::vector<field_error> validate(const query_spec& s);

/// `{"name", "description" (omitted when empty), "query"}`, plus
/// `"observer_can_run": true` when set.
boost::json::value to_spec_json(const query& q);

/// True when SQL uses ATTACH ... AS (not allowed: it reaches outside osquery).
bool has_attach(const std::string& sql);

/// The `specs` array of an apply body, each element an object; bad_request otherwise.
expected<std::vector<const boost::json::object*>> spec_objects(const boost::json::object& body);

} // namespace flotilla
