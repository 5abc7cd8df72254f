#pragma once
/// The single mapping from the error vocabulary to an HTTP status and Fleet's
/// body. Handlers never choose status codes; they return `error`s.

#include "http/message.hpp"
#include "model/error.hpp"

namespace flotilla::http {

/// The status code for an error code.
int status_of(errc code);

/// Fleet's envelope `{"message", "errors": [{"name","reason"}]}` (or the osquery
/// body `{"error", "node_invalid": true}` for node_invalid) with its status.
response to_response(const error& e);

} // namespace flotilla::http
