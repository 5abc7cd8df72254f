/// model/stream_codec.hpp: a raw-WebSocket client message, and a SockJS client
/// frame whose every string is then decoded as a client message (the SockJS path).

#include "model/stream_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto msgs = flotilla::decode_client_messages(text); msgs && msgs->empty())
        __builtin_trap(); // success means at least one message
    if (auto frame = flotilla::decode_sockjs_frame(text))
        for (const auto& m : *frame)
            (void)flotilla::decode_client_messages(m);
    return 0;
}
