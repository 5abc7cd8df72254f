#pragma once
/// The robustness test's model of the server: every route it registers, with a
/// valid example body per route that reads one, and the hostile variants made
/// from it (malformed JSON, a wrong type or an out-of-range number at every key,
/// deep nesting, invalid UTF-8, bad percent-encoding in path parameters).

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace flotilla::testing::robust {

/// Who a route answers and how it authenticates.
enum class family {
    user,   ///< the user API: bearer token, `{"message","errors"}` envelope
    agent,  ///< the osquery endpoints: node key in the body; also `{"error","node_invalid"}`
    sockjs, ///< SockJS's xhr transports: no authentication, a session in the path
    open    ///< anyone (healthz, sso): no authentication, the user API's envelope
};

/// What example bodies are built from: the state of the server under test.
struct context {
    std::string tag;      ///< unique per request: names built from it never collide
    std::string node_key; ///< the enrolled agent's, or a bogus one
    std::string secret;   ///< a valid enroll secret
    std::int64_t host_id = 0;
    std::string hostname;
};

/// One route as the server registers it, and how to exercise it.
struct route_spec {
    using example_fn = std::function<boost::json::value(const context&)>;
    using param_list = std::vector<std::pair<std::string, std::string>>;

    route_spec(std::string m, std::string p, family f = family::user, example_fn e = {},
               std::vector<std::string> l = {}, param_list ps = {}, bool unauth = false)
        : method(std::move(m)), pattern(std::move(p)), fam(f), example(std::move(e)),
          lenient(std::move(l)), params(std::move(ps)), unauthenticated_only(unauth) {}

    std::string method;
    std::string pattern; ///< exactly as registered, `{name}` for parameters
    family fam = family::user;
    /// The valid body, for routes that read one (empty function: the body is ignored).
    example_fn example;
    /// Key paths ("specs.agent_options", "queries.*") where the server takes any
    /// JSON value, so a 2xx is a correct answer to a replaced value.
    std::vector<std::string> lenient;
    /// Path parameters as they are in a valid request, by name.
    param_list params;
    /// A 2xx for a valid-looking request must not be provoked (logout ends the
    /// session the barrage uses): only send it without credentials.
    bool unauthenticated_only = false;
};

/// Every route of the server. Checked against the live route table.
std::vector<route_spec> all_routes();

/// The teams routes under `fleet` (/api/v1/fleet or /api/latest/fleet), as
/// /teams and /fleets, /spec/fleets and the host transfers
/// (robust_team_cases.cpp).
std::vector<route_spec> team_routes(const std::string& fleet);

/// The setup route, in either spelling (it exists only before setup).
inline bool is_setup(const std::string& pattern) {
    return pattern == "/api/v1/setup" || pattern == "/api/latest/setup";
}

/// One hostile request body (or target) and whether a 2xx is a correct answer.
struct variant {
    std::string what; ///< for failure messages
    std::string body;
    bool may_accept = false; ///< type-compatible (null, a lenient key): 2xx allowed
    bool malformed = false;  ///< not decodable at all: exactly 400 on a body-reading route
};

/// Bodies that are not JSON objects a decoder can take: truncated, trailing
/// garbage, other top-level kinds, empty, deep nesting, invalid UTF-8.
std::vector<variant> malformed_bodies();

/// The example with each key's value in turn replaced by a value of every other
/// type, by huge and out-of-range numbers, by null; each string in turn and each
/// key replaced by invalid UTF-8. `lenient` as in route_spec.
std::vector<variant> mutated_bodies(const boost::json::value& example,
                                    const std::vector<std::string>& lenient);

/// Path parameter values the router refuses with a 400: bad percent-encoding
/// (`%`, `%zz`) or bytes that are not UTF-8 (overlong, surrogates, past U+10FFFF).
std::vector<std::string> undecodable_params();
/// Path parameter values that decode to unusual but valid text (NUL, `/`, `..`,
/// a 4 KB name): 4xx from the handler, never a 5xx.
std::vector<std::string> odd_params();

/// `pattern` with each `{name}` replaced by `params`' value (or `value` when set).
std::string fill(const std::string& pattern,
                 const std::vector<std::pair<std::string, std::string>>& params,
                 const std::string& only_param = {}, const std::string& value = {});

} // namespace flotilla::testing::robust
