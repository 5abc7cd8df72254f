#include "storage/multi_row.hpp"

namespace flotilla::storage {

std::string placeholder_rows(std::size_t rows, std::size_t cols) {
    const std::string one = "(" + placeholders(cols) + ")";
    std::string out;
    out.reserve(rows * (one.size() + 2));
    for (std::size_t i = 0; i < rows; ++i) {
        if (i > 0)
            out += ", ";
        out += one;
    }
    return out;
}

} // namespace flotilla::storage
