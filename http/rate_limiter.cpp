#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace flotilla::http {

std::optional<int> rate_limiter::take(const std::string& key, micros now) {
    std::lock_guard lock(mu_);
    if (buckets_.size() > 100'000) // bound memory: forget full buckets
        std::erase_if(buckets_, [&](const auto& kv) {
            return kv.second.tokens + (now - kv.second.at) / 60e6 * per_minute_ >= burst_;
        });
    auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now});
    auto& b = it->second;
    b.tokens = std::min(burst_, b.tokens + static_cast<double>(now - b.at) / 60e6 * per_minute_);
    b.at = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    const double wait_seconds = (1.0 - b.tokens) * 60.0 / per_minute_;
    return std::max(1, static_cast<int>(std::ceil(wait_seconds)));
}

} // namespace flotilla::http
