#include "http/sockjs_framing.hpp"

#include "model/stream_codec.hpp"

#include <boost/json.hpp>

namespace flotilla::http::sockjs {

std::string messages_frame(const std::vector<std::string>& msgs) {
    boost::json::array a;
    a.reserve(msgs.size());
    for (const auto& m : msgs)
        a.emplace_back(m);
    return "a" + boost::json::serialize(a);
}

std::string streaming_prelude() {
    return xhr_frame(std::string(2048, 'h'));
}

expected<std::vector<std::string>> decode_client_frame(std::string_view frame) {
    return decode_sockjs_frame(frame);
}

} // namespace flotilla::http::sockjs
