#pragma once
/// The query string of a request target, decoded with Boost.URL, and typed
/// reads of its parameters: a malformed value is a bad_request naming it.

#include "http/message.hpp"
#include "http/router.hpp"
#include "model/error.hpp"
#include "service/listing.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flotilla::http {

class query_params {
public:
    /// The parameters of `target` (path + query); malformed percent-encoding is
    /// a bad_request.
    static expected<query_params> of(std::string_view target);

    /// The last value given for `name`, decoded.
    std::optional<std::string> text(std::string_view name) const;
    /// A boolean as Go's strconv.ParseBool reads it (1, t, true, 0, f, false, ...);
    /// absent → `fallback`.
    expected<bool> flag(std::string_view name, bool fallback = false) const;
    /// A whole number in [min, max]; absent → nullopt.
    expected<std::optional<std::int64_t>> number(std::string_view name, std::int64_t min,
                                                 std::int64_t max) const;

    /// Fleet's list options (page, per_page, order_key, order_direction, query).
    expected<service::list_options> list_options() const;

private:
    std::vector<std::pair<std::string, std::string>> params_;
};

/// The path parameter `name` as an id (a whole number from 0); anything else is
/// a bad_request naming it.
expected<std::int64_t> path_id(const path_params& p, const char* name);

} // namespace flotilla::http
