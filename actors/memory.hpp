#pragma once
/// Design: glibc keeps memory freed by other threads in its per-thread arenas,
/// so after a campaign's megabytes of results are freed the process's RSS does
/// not fall by itself. Whoever frees a large buffer reports it here; once the
/// reports add up to trim_after_bytes, malloc_trim returns the free pages to the
/// system (a few milliseconds, at most once per that many bytes freed).

#include <cstddef>

namespace flotilla::actors {

/// Freed bytes that make a trim worth its cost.
inline constexpr std::size_t trim_after_bytes = 16 * 1024 * 1024;

/// Reports `bytes` freed; trims when enough has been freed since the last trim.
void memory_released(std::size_t bytes);

} // namespace flotilla::actors
