#pragma once
/// Multi-row statements: placeholder lists and chunking. A batch is cut into
/// chunks whose sizes are powers of two (at most `max_rows`), so the statement
/// texts repeat and the drivers' prepared-statement caches (keyed by SQL text)
/// hold a handful per statement instead of one per batch size.

#include <cstddef>
#include <string>

namespace flotilla::storage {

/// Rows per multi-row statement: 256 rows of 36 columns is 9,216 placeholders,
/// under SQLite's 32,766 and MySQL's 65,535.
inline constexpr std::size_t max_rows_per_statement = 256;

/// "(?, ?), (?, ?)": `rows` groups of `cols` placeholders.
std::string placeholder_rows(std::size_t rows, std::size_t cols);

/// "?, ?, ?": `n` placeholders.
inline std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += i == 0 ? "?" : ", ?";
    return out;
}

/// Calls `fn(from, to)` over [0, n) in chunks of power-of-two sizes, largest first.
template <class F> void for_each_chunk(std::size_t n, std::size_t max_rows, F&& fn) {
    std::size_t from = 0;
    while (from < n) {
        std::size_t size = 1;
        while (size * 2 <= n - from && size * 2 <= max_rows)
            size *= 2;
        fn(from, from + size);
        from += size;
    }
}

} // namespace flotilla::storage
