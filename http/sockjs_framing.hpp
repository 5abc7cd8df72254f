#pragma once
/// SockJS framing, in one place, for every SockJS transport (websocket, xhr,
/// xhr_streaming): what the server writes (`o`, `h`, `a[...]`, `c[code,reason]`)
/// and how a client's frame is read (model/stream_codec.hpp's
/// decode_sockjs_frame). The XHR transports end each frame with a newline
/// (`xhr_frame`); the websocket transport sends frames as they are.

#include "model/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace flotilla::http::sockjs {

inline constexpr std::string_view open_frame = "o";
inline constexpr std::string_view heartbeat_frame = "h";
/// The server closed the session (end of the campaign, shutdown).
inline constexpr std::string_view go_away_frame = R"(c[3000,"Go away!"])";
/// A second receiver for a session that has one.
inline constexpr std::string_view busy_frame = R"(c[2010,"Another connection still open"])";
/// A client too slow for its queue's bound (http::queue_bound).
inline constexpr std::string_view too_slow_frame =
    R"(c[1008,"subscriber too slow: its queue is full"])";

/// `a["<json>",...]`: several messages (each a JSON text) in one frame.
std::string messages_frame(const std::vector<std::string>& msgs);

/// A frame as the XHR transports write it: followed by a newline.
inline std::string xhr_frame(std::string_view frame) {
    std::string out;
    out.reserve(frame.size() + 1);
    out.append(frame).push_back('\n');
    return out;
}

/// What an xhr_streaming response starts with: 2 KiB of `h` defeat buffering in
/// browsers and proxies.
std::string streaming_prelude();

/// The messages of a client's frame (a JSON array of strings); a bad_request
/// "Payload expected." or "Broken JSON encoding." otherwise.
expected<std::vector<std::string>> decode_client_frame(std::string_view frame);

} // namespace flotilla::http::sockjs
