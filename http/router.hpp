#pragma once
/// The route table: method + pattern with `{name}` segments, one line per
/// route. Paths are split and percent-decoded with Boost.URL, so a parameter
/// holds the decoded segment (`a%20b` → `a b`, `a%2Fb` → `a/b`).

#include "http/message.hpp"
#include "model/error.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flotilla::http {

/// Decoded `{name}` values of a matched route.
using path_params = std::unordered_map<std::string, std::string>;

using handler = std::function<void(const request&, const path_params&, responder)>;

/// When a route exists (the setup gate, fleet-behaviour.md §2): osquery's routes
/// always, setup only before the first user, everything else only after.
enum class gate { always, before_setup, after_setup };

class router {
public:
    /// Adds a route; `pattern` like "/api/v1/fleet/spec/queries/{name}".
    void add(std::string method, const std::string& pattern, handler h,
             gate when = gate::after_setup);

    struct match {
        const handler* target = nullptr; ///< null when no route matched
        path_params params;
        std::optional<error> failure; ///< route_not_found, method_not_allowed, bad_request
        /// The gate of the first route whose path matched, whatever its method;
        /// empty when no path matched.
        std::optional<gate> when;
    };

    /// Finds the handler for a method and a request target (path + query).
    match find(std::string_view method, std::string_view target) const;

    /// Every route as method + pattern, in the order added (tests check their
    /// route lists against it).
    std::vector<std::pair<std::string, std::string>> routes() const;

private:
    struct route {
        std::string method;
        std::vector<std::string> segments; ///< literal, or "{name}"
        handler h;
        gate when;
    };
    std::vector<route> routes_;
};

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code
/// points past U+10FFFF).
bool valid_utf8(std::string_view s);

/// The decoded path segments of a request target, or nullopt when malformed:
/// bad percent-encoding, or a segment that decodes to bytes that are not UTF-8.
std::optional<std::vector<std::string>> decoded_segments(std::string_view target);

} // namespace flotilla::http
