#pragma once
/// Labels through the REST API (fleet-rest.md §5.1): listing with host counts,
/// creating one, renaming and deleting. Builtin labels are never changed
/// (fleet-behaviour.md, Flotilla's differences §5). Writes are for global admins
/// and maintainers; every signed-in user reads.

#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/label.hpp"
#include "model/user.hpp"
#include "service/listing.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// Labels matching `o.query` (by name), ordered and paged, and every label's
/// host count.
struct label_list {
    std::vector<label_spec> labels;
    std::map<std::int64_t, std::int64_t> counts;
};
expected<label_list> list_labels(storage::store& st, const list_options& o);

/// POST /labels: a new label (a taken name is already_exists, a builtin's name
/// invalid_argument); returns it as stored.
expected<label_spec> create_label(storage::store& st, const user& by, const label_spec& spec,
                                  micros now);

/// PATCH /labels/{id}: only the name and description change.
expected<label_spec> modify_label(storage::store& st, const user& by, std::int64_t id,
                                  const std::optional<std::string>& name,
                                  const std::optional<std::string>& description, micros now);

/// DELETE /labels/{name} and /labels/id/{id}. Creating, renaming and deleting
/// are recorded as created_label, edited_label and deleted_label activities.
expected<void> delete_label(storage::store& st, const user& by, std::int64_t id, micros now);
/// The id of the label named `name` (not_found otherwise).
expected<std::int64_t> label_id_by_name(storage::store& st, const std::string& name);

} // namespace flotilla::service
