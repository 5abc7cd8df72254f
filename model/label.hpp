#pragma once
/// Labels, the builtin set and the label spec (fleet-behaviour.md §3 Labels, §7).

#include "model/clock.hpp"
#include "model/error.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flotilla {

enum class label_membership { dynamic, manual };

struct label_spec {
    std::int64_t id = 0; ///< ignored on apply
    std::string name;
    std::string description;
    std::string query;
    std::string platform;
    bool builtin = false;
    label_membership membership = label_membership::dynamic;
    /// Manual labels' member hostnames; nullopt when the key was absent.
    std::optional<std::vector<std::string>> hosts;
    micros created_at = 0; ///< as stored (not part of the spec)
    micros updated_at = 0;
};

/// The seven builtin labels a fresh install has, with their ids (§7).
const std::vector<label_spec>& builtin_labels();

/// Decodes `{"specs": [...]}`; wrong types or unknown enum values are bad_request.
expected<std::vector<label_spec>> decode_label_specs(const boost::json::object& body);

/// Field errors (422) that need no store.
std::vector<field_error> validate(const label_spec& l);

/// True when two specs describe the same label (a builtin may be re-applied unchanged).
bool same_definition(const label_spec& a, const label_spec& b);

/// Fleet's LabelSpec JSON.
boost::json::value to_json(const label_spec& l);
/// The REST API's label object (GET /labels, /hosts/{id}, /targets): the spec's
/// JSON with label_type always present ("builtin" or "regular"), display_text,
/// the stored times, `platform` always present, and `host_ids` null.
boost::json::object label_response(const label_spec& l);

} // namespace flotilla
