#pragma once
/// Text limits shared by validation: the stores keep names, platforms, versions
/// and secrets in VARCHAR(255) columns on MySQL (TEXT on SQLite), so longer
/// values are refused on both (422) rather than failing on one (a 500).

#include "model/error.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace flotilla {

/// The most characters a name-like field may hold.
inline constexpr std::size_t max_text_chars = 255;

/// The number of characters (UTF-8 code points) in `s`.
inline std::size_t char_count(const std::string& s) {
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    return n;
}

/// The longest prefix of `s` with at most `chars` characters.
inline std::string truncated(const std::string& s, std::size_t chars = max_text_chars) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && n++ == chars)
            return s.substr(0, i);
    return s;
}

/// Adds a field error when `value` is longer than max_text_chars characters;
/// `what` names it in the reason ("query name").
inline void check_length(std::vector<field_error>& errors, const std::string& field,
                         const std::string& value, const std::string& what) {
    if (char_count(value) > max_text_chars)
        errors.push_back(
            {field, what + " is longer than " + std::to_string(max_text_chars) + " characters"});
}

} // namespace flotilla
