#pragma once
/// Time as the whole system sees it: UTC microseconds since the epoch, passed in
/// explicitly (`now`) so that tests can inject any instant.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace flotilla {

using micros = std::int64_t;

/// The current time in microseconds since the Unix epoch.
inline micros now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// A source of "now"; components take one so tests can move time.
using clock_fn = std::function<micros()>;

inline constexpr micros seconds_to_micros(std::int64_t s) {
    return s * 1'000'000;
}

/// RFC 3339 in UTC with second precision, e.g. 2026-11-22T14:14:37Z.
std::string format_rfc3339(micros t);

} // namespace flotilla
