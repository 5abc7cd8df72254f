#pragma once
/// Decoding what live query results-stream clients send, apart from the sockets
/// and actors that receive it, so it is unit-tested and fuzzed on its own.
/// Design: pure functions from the received text to values; the callers keep
/// deciding what an error means in their protocol phase.

#include "model/error.hpp"

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla {

/// A raw-WebSocket (or one SockJS) client message: one JSON object, or a
/// non-empty JSON array of objects, in order. Anything else (malformed JSON,
/// another type, an empty array, an array holding a non-object) is a bad_request.
expected<std::vector<boost::json::object>> decode_client_messages(std::string_view text);

/// A SockJS client frame: a JSON array whose strings are the messages; an
/// element that is not a string reads as "". An empty body is a bad_request
/// "Payload expected.", anything but a JSON array "Broken JSON encoding.".
expected<std::vector<std::string>> decode_sockjs_frame(std::string_view body);

} // namespace flotilla
