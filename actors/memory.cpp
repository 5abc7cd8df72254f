#include "actors/memory.hpp"

#include <atomic>
#include <malloc.h>

namespace flotilla::actors {

namespace {
std::atomic<std::size_t> freed_since_trim{0};
} // namespace

void memory_released(std::size_t bytes) {
    const std::size_t total = freed_since_trim.fetch_add(bytes) + bytes;
    if (total < trim_after_bytes)
        return;
    // Only the caller that takes the counter back to zero trims.
    std::size_t expected = total;
    while (expected >= trim_after_bytes && !freed_since_trim.compare_exchange_weak(expected, 0)) {
    }
    if (expected >= trim_after_bytes)
        malloc_trim(0);
}

} // namespace flotilla::actors
