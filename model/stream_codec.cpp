#include "model/stream_codec.hpp"

#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

expected<std::vector<bj::object>> decode_client_messages(std::string_view text) {
    boost::system::error_code ec;
    bj::value v = bj::parse(text, ec);
    if (ec)
        return error::bad_request("malformed client message: " + ec.message());
    std::vector<bj::object> out;
    if (v.is_object()) {
        out.push_back(std::move(v.get_object()));
        return out;
    }
    if (!v.is_array())
        return error::bad_request("a client message must be an object or an array of objects");
    for (auto& e : v.get_array()) {
        if (!e.is_object())
            return error::bad_request("a client message array must hold only objects");
        out.push_back(std::move(e.get_object()));
    }
    if (out.empty())
        return error::bad_request("an empty client message array");
    return out;
}

expected<std::vector<std::string>> decode_sockjs_frame(std::string_view body) {
    boost::system::error_code ec;
    bj::value v = bj::parse(body, ec);
    if (ec || !v.is_array())
        return error::bad_request(body.empty() ? "Payload expected." : "Broken JSON encoding.");
    std::vector<std::string> out;
    out.reserve(v.get_array().size());
    for (const auto& m : v.get_array())
        out.emplace_back(m.is_string() ? std::string_view(m.get_string()) : std::string_view());
    return out;
}

} // namespace flotilla
