/// config.hpp: parse_command_line with flags and a --config YAML file, both
/// from the input: the first line is split on spaces into extra arguments, the
/// rest is written to the YAML file. Bad settings must give exit code 2, never throw.

#include "app/config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path =
        "/tmp/flotilla-fuzz-config-" + std::to_string(::getpid()) + ".yml";
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto nl = in.find('\n');
    const std::string_view flags = nl == std::string_view::npos ? in : in.substr(0, nl);
    const std::string_view yaml = nl == std::string_view::npos ? "" : in.substr(nl + 1);
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(yaml.data(), static_cast<std::streamsize>(yaml.size()));
    }
    std::vector<std::string> args{"flotilla"};
    for (std::size_t start = 0; start < flags.size();) {
        auto end = flags.find(' ', start);
        if (end == std::string_view::npos)
            end = flags.size();
        if (end > start)
            args.emplace_back(flags.substr(start, end - start));
        start = end + 1;
    }
    args.emplace_back("--config");
    args.push_back(path);
    if (args.size() == 3) // no subcommand given: serve
        args.emplace_back("serve");
    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    auto cl = flotilla::parse_command_line(static_cast<int>(argv.size()), argv.data());
    if (cl.exit_code && *cl.exit_code != 0 && *cl.exit_code != 2)
        __builtin_trap();
    return 0;
}
