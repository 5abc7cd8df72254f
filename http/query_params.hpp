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
    /// The team a request is about: `team_id`, or current Fleet's name for it,
    /// `fleet_id` (fleet-rest.md §8.2); a whole number from 0. Both given with
    /// different values is a bad_request.
    expected<std::optional<std::int64_t>> team_id() const;

private:
    std::vector<std::pair<std::string, std::string>> params_;
};

/// The names a `{name}` path segment (as the router decoded it) may stand for,
/// in the order to look them up: the segment itself, then, when it still holds
/// valid percent-encoding that decodes to other valid UTF-8, that decoding.
/// fleetctl escapes names twice (`a b` arrives as `a%2520b`), clients like curl
/// once, and a name may itself hold a `%`.
std::vector<std::string> name_candidates(const std::string& decoded);

/// `find(name)` for each of `names` in turn: the first answer that is not
/// not_found, else the last one (whose message names the most decoded name).
template <class Find>
auto first_found(const std::vector<std::string>& names, Find&& find)
    -> decltype(find(std::string())) {
    auto answer = find(names.front());
    for (std::size_t i = 1; i < names.size() && !answer && answer.err().code == errc::not_found;
         ++i)
        answer = find(names[i]);
    return answer;
}

/// The path parameter `name` as an id (a whole number from 0); anything else is
/// a bad_request naming it.
expected<std::int64_t> path_id(const path_params& p, const char* name);

} // namespace flotilla::http
