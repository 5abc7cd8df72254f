#include "model/clock.hpp"

#include <ctime>

namespace flotilla {

std::string format_rfc3339(micros t) {
    std::time_t secs = static_cast<std::time_t>(t / 1'000'000);
    if (t < 0 && t % 1'000'000 != 0)
        --secs;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace flotilla
