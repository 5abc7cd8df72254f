/// model/json.hpp: parse_object on any bytes, then every json::reader accessor
/// on every key (and on nested objects, as decoders do).

#include "model/json.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

namespace bj = boost::json;

void read_all(const bj::object& o, int depth) {
    flotilla::json::reader r(o, depth == 0 ? "" : "nested");
    for (const auto& kv : o) {
        const std::string_view key = kv.key();
        (void)r.str(key);
        (void)r.int64(key);
        (void)r.boolean(key);
        (void)r.array(key);
        (void)r.any(key);
        (void)r.has(key);
        if (const bj::object* sub = r.object(key); sub && depth < 4)
            read_all(*sub, depth + 1);
    }
    (void)r.str("missing");
    if (r.failure() && r.failure()->code != flotilla::errc::bad_request)
        __builtin_trap(); // a type mismatch is always a bad request
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto v = flotilla::json::parse(body);
    if (v && !flotilla::json::parse(flotilla::json::dump(*v)))
        __builtin_trap(); // what we serialise must parse again
    auto o = flotilla::json::parse_object(body);
    if (o)
        read_all(*o, 0);
    else if (o.err().code != flotilla::errc::bad_request)
        __builtin_trap();
    return 0;
}
