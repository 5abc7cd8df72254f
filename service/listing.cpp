#include "service/listing.hpp"

#include <cctype>

namespace flotilla::service {

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool matches_text(const std::string& needle, std::initializer_list<const std::string*> fields) {
    if (needle.empty())
        return true;
    const auto n = lower(needle);
    return std::any_of(fields.begin(), fields.end(), [&](const std::string* f) {
        return lower(*f).find(n) != std::string::npos;
    });
}

} // namespace flotilla::service
