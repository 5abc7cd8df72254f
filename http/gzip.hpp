#pragma once
/// Gzip request bodies (osquery may send `Content-Encoding: gzip`), with zlib.

#include "model/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace flotilla::http {

/// Largest body a gzip request may inflate to; larger → 413.
inline constexpr std::size_t max_inflated_bytes = 64 * 1024 * 1024;

/// Inflates a gzip stream; bad_request when it is not gzip, payload_too_large
/// past `limit`.
expected<std::string> gunzip(std::string_view in, std::size_t limit = max_inflated_bytes);

} // namespace flotilla::http
