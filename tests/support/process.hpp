#pragma once
/// Runs the real `flotilla` binary as a child process (for CLI tests): its
/// output, its exit code, signals, and a deadline on every wait.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace flotilla::testing {

/// The built flotilla binary (FLOTILLA_BINARY, set by CMake).
std::string flotilla_binary();

class child_process {
public:
    /// Starts `argv` with `env` added to this process's environment; stdout and
    /// stderr are captured together.
    child_process(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
    ~child_process();

    /// Reads output until `needle` appears; false at the deadline or at EOF.
    bool wait_for_output(const std::string& needle, std::chrono::milliseconds deadline);
    /// Waits for exit; nullopt at the deadline. Reads the rest of the output.
    std::optional<int> wait_exit(std::chrono::milliseconds deadline);
    void signal(int sig);
    const std::string& output() const { return output_; }
    pid_t pid() const { return pid_; }

private:
    bool read_some(std::chrono::milliseconds wait);
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string output_;
    std::optional<int> status_;
};

/// The port from "Flotilla is serving on http://127.0.0.1:PORT" (0 when absent).
unsigned short served_port(const std::string& output);

/// The resident set size of a process, in bytes (0 when it cannot be read).
std::size_t resident_bytes(pid_t pid);

/// Runs to completion (10 s deadline); returns {exit code, output}.
std::pair<int, std::string> run_flotilla(std::vector<std::string> args,
                                         std::map<std::string, std::string> env = {});

} // namespace flotilla::testing
