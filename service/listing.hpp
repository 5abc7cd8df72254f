#pragma once
/// Fleet's list options (fleet-rest.md §1: page, per_page, order_key,
/// order_direction, query) applied to rows already in memory: the lists they
/// serve (users, labels, teams, saved queries, activities) are small.

#include "model/error.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::service {

struct list_options {
    std::string query; ///< free-text match; "" matches everything
    std::string order_key;
    bool descending = false;
    std::int64_t page = 0;
    std::optional<std::int64_t> per_page; ///< nullopt: every row (20 when only page is given)
};

/// How one list sorts: the order keys it knows, each a "less than" on rows.
template <class T> struct sort_keys {
    std::vector<std::pair<std::string, std::function<bool(const T&, const T&)>>> keys;
};

/// `rows` ordered by `o.order_key` (unknown → bad_request naming it; "" keeps
/// their order) and cut to `o`'s page.
template <class T>
expected<std::vector<T>> order_and_page(std::vector<T> rows, const list_options& o,
                                        const sort_keys<T>& keys) {
    if (!o.order_key.empty()) {
        auto k = std::find_if(keys.keys.begin(), keys.keys.end(),
                              [&](const auto& e) { return e.first == o.order_key; });
        if (k == keys.keys.end())
            return error::bad_request("unknown order_key: " + o.order_key);
        const auto& less = k->second;
        std::stable_sort(rows.begin(), rows.end(), [&](const T& a, const T& b) {
            return o.descending ? less(b, a) : less(a, b);
        });
    } else if (o.descending) {
        std::reverse(rows.begin(), rows.end());
    }
    std::optional<std::int64_t> per_page = o.per_page;
    if (!per_page && o.page > 0)
        per_page = 20;
    if (!per_page)
        return rows;
    const auto size = static_cast<std::int64_t>(rows.size());
    const std::int64_t from = std::min(size, o.page * *per_page);
    const std::int64_t to = std::min(size, from + *per_page);
    return std::vector<T>(rows.begin() + from, rows.begin() + to);
}

/// Case-insensitive substring match of `needle` in any of `fields`.
bool matches_text(const std::string& needle, std::initializer_list<const std::string*> fields);

/// `s` in ASCII lower case (emails, search text).
std::string lower(std::string s);

} // namespace flotilla::service
