#pragma once
/// Live query targets (fleet-rest.md §6): the v4.9 UI's search over hosts,
/// labels and teams, and the counts of a selection, within the hosts the user
/// may see (global users: all; team users: their teams').

#include "model/campaign.hpp"
#include "model/clock.hpp"
#include "model/error.hpp"
#include "model/host.hpp"
#include "model/label.hpp"
#include "model/team.hpp"
#include "model/user.hpp"

#include <string>
#include <utility>
#include <vector>

namespace flotilla::storage {
class store;
}

namespace flotilla::service {

/// At most this many suggestions of each kind.
inline constexpr std::size_t max_target_suggestions = 20;

struct target_suggestions {
    std::vector<host> hosts;                                 ///< hostname or IP contains the text
    std::vector<std::pair<label_spec, std::int64_t>> labels; ///< name contains it; its host count
    std::vector<std::pair<team, std::int64_t>> teams;        ///< name contains it; its host count
    host_counts selected;                                    ///< the selection's hosts by status
};

/// POST /targets: suggestions for `text` (selected items left out) and the
/// counts of `selected`.
expected<target_suggestions> search_targets(storage::store& st, const user& by,
                                            const std::string& text,
                                            const target_selection& selected, micros now);

/// POST /targets/count: the selection's hosts by status.
expected<host_counts> count_targets(storage::store& st, const user& by,
                                    const target_selection& selected, micros now);

} // namespace flotilla::service
