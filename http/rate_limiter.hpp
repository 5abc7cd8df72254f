#pragma once
/// A token bucket per client address (Fleet's login limit: 10 per minute,
/// burst 9, but one bucket per address instead of one for everybody).

#include "model/clock.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace flotilla::http {

class rate_limiter {
public:
    rate_limiter(double per_minute, double burst) : per_minute_(per_minute), burst_(burst) {}

    /// Takes one token for `key`; when none is left, returns the seconds to wait.
    std::optional<int> take(const std::string& key, micros now);

private:
    struct bucket {
        double tokens;
        micros at;
    };
    double per_minute_;
    double burst_;
    std::mutex mu_;
    std::unordered_map<std::string, bucket> buckets_;
};

} // namespace flotilla::http
