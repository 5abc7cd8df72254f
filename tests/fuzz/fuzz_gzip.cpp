/// http/gzip.hpp: gunzip on any bytes, with a small limit so that bombs are cheap;
/// the output never exceeds the limit.

#include "http/gzip.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::size_t limit = 64 * 1024; // bombs stay cheap
    auto out =
        flotilla::http::gunzip(std::string_view(reinterpret_cast<const char*>(data), size), limit);
    if (out && out->size() > limit)
        __builtin_trap();
    if (!out && out.err().code != flotilla::errc::bad_request &&
        out.err().code != flotilla::errc::payload_too_large)
        __builtin_trap();
    return 0;
}
