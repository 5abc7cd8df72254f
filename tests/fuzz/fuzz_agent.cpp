/// http/agent_codec.hpp: the osquery agent bodies (distributed/write for now).

#include "http/agent_codec.hpp"
#include "model/json.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto body =
        flotilla::json::parse_object(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!body)
        return 0;
    (void)flotilla::http::decode_write(*body);
    return 0;
}
