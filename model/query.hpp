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

/// One entry of POST /spec/queries.
struct query_spec {
    std::string name;
    std::string description;
    std::string query;
    bool observer_can_run = false;
};

/// Decodes `{"specs": [...]}`; wrong types are bad_request.
expected<std::vector<query_spec>> decode_query_specs(const boost::json::object& body);

/// Field errors (422) of one spec: empty name, empty SQL, ATTACH.
std::vector<field_error> validate(const query_spec& s);

/// `{"name", "description" (omitted when empty), "query"}`, plus
/// `"observer_can_run": true` when set.
boost::json::value to_spec_json(const query& q);

/// True when SQL uses ATTACH ... AS (not allowed: it reaches outside osquery).
bool has_attach(const std::string& sql);

/// The `specs` array of an apply body, each element an object; bad_request otherwise.
expected<std::vector<const boost::json::object*>> spec_objects(const boost::json::object& body);

} // namespace flotilla
