/// http/router.hpp: decoded_segments and router::find over a table shaped like
/// the server's (literal and `{name}` segments), for any method and target, and
/// http/query_params.hpp's name_candidates on every decoded segment.
/// Input: the first byte picks the method, the rest is the request target.

#include "http/query_params.hpp"
#include "http/router.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

flotilla::http::router make_table() {
    flotilla::http::router r;
    auto h = [](const flotilla::http::request&, const flotilla::http::path_params&,
                flotilla::http::responder) {};
    for (const char* path :
         {"/api/v1/setup", "/api/v1/fleet/login", "/api/v1/fleet/logout",
          "/api/v1/fleet/queries/run", "/api/v1/fleet/queries/run_by_names",
          "/api/v1/fleet/spec/queries", "/api/v1/fleet/spec/enroll_secret",
          "/api/v1/fleet/spec/labels", "/api/latest/fleet/spec/packs", "/api/v1/fleet/spec/teams",
          "/api/v1/fleet/spec/policies", "/api/osquery/enroll", "/api/v1/osquery/distributed/write",
          "/api/v1/fleet/results/{server}/{session}/xhr",
          "/api/v1/fleet/results/{server}/{session}/xhr_send"})
        r.add("POST", path, h);
    for (const char* path :
         {"/api/v1/fleet/me", "/api/v1/fleet/results/", "/api/v1/fleet/results/info",
          "/api/v1/fleet/spec/queries/{name}", "/api/v1/fleet/spec/labels/{name}",
          "/api/latest/fleet/spec/packs/{name}", "/api/v1/fleet/global/policies",
          "/api/v1/fleet/status/live_query"})
        r.add("GET", path, h);
    for (const char* path : {"/api/v1/fleet/queries/{name}", "/api/latest/fleet/reports/id/{id}",
                             "/api/v1/fleet/labels/{name}"})
        r.add("DELETE", path, h);
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const flotilla::http::router table = make_table();
    static constexpr std::array<std::string_view, 4> methods{"GET", "POST", "DELETE", "PATCH"};
    if (size == 0)
        return 0;
    const std::string_view method = methods[data[0] % methods.size()];
    const std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto segs = flotilla::http::decoded_segments(target);
    auto m = table.find(method, target);
    if (!segs && (m.target || !m.failure || m.failure->code != flotilla::errc::bad_request))
        __builtin_trap(); // a malformed target is a bad request, never a match
    if (m.target && m.failure)
        __builtin_trap();
    if (!m.target && !m.failure)
        __builtin_trap();
    if (segs)
        for (const auto& seg : *segs) {
            // The segment itself first; at most one more, different and UTF-8.
            auto names = flotilla::http::name_candidates(seg);
            if (names.empty() || names.size() > 2 || names.front() != seg)
                __builtin_trap();
            if (names.size() == 2 && (names[1] == seg || !flotilla::http::valid_utf8(names[1])))
                __builtin_trap();
        }
    return 0;
}
