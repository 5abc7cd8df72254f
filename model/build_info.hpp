#pragma once
/// What this binary is: its version, the commit it was built from, when and
/// with what (GET /api/v1/fleet/version; model/build_info.cpp.in is filled in
/// by CMake at configure time).

#include <string_view>

namespace flotilla {

struct build_info {
    std::string_view version;
    std::string_view branch;
    std::string_view revision;
    std::string_view build_date;
    std::string_view compiler;
};

const build_info& this_build();

} // namespace flotilla
