#include "tests/support/process.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <regex>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace flotilla::testing {

std::string flotilla_binary() {
    const char* b = std::getenv("FLOTILLA_BINARY");
    return b ? b : FLOTILLA_BINARY_DEFAULT;
}

child_process::child_process(std::vector<std::string> argv,
                             std::map<std::string, std::string> env) {
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        for (const auto& [k, v] : env)
            setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> args;
        for (auto& a : argv)
            args.push_back(a.data());
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
}

child_process::~child_process() {
    if (!status_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0)
        close(fd_);
}

bool child_process::read_some(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0)
        return true; // nothing yet
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0)
        return false; // EOF
    output_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool child_process::wait_for_output(const std::string& needle, std::chrono::milliseconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (output_.find(needle) == std::string::npos) {
        if (std::chrono::steady_clock::now() > until || !read_some(std::chrono::milliseconds(50)))
            return output_.find(needle) != std::string::npos;
    }
    return true;
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!status_) {
        int st = 0;
        pid_t r = waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (std::chrono::steady_clock::now() > until)
            return std::nullopt;
        read_some(std::chrono::milliseconds(20));
    }
    while (read_some(std::chrono::milliseconds(0)) && output_.size() < (1u << 20)) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0)
            break;
    }
    return status_;
}

void child_process::signal(int sig) {
    kill(pid_, sig);
}

std::pair<int, std::string> run_flotilla(std::vector<std::string> args,
                                         std::map<std::string, std::string> env) {
    args.insert(args.begin(), flotilla_binary());
    child_process p(std::move(args), std::move(env));
    auto code = p.wait_exit(std::chrono::seconds(10));
    return {code.value_or(-1), p.output()};
}

unsigned short served_port(const std::string& output) {
    std::smatch m;
    if (!std::regex_search(output, m, std::regex(R"(serving on https?://[^:]+:(\d+))")))
        return 0;
    return static_cast<unsigned short>(std::stoi(m[1]));
}

std::size_t resident_bytes(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:"))
            return static_cast<std::size_t>(std::stoull(line.substr(6))) * 1024; // kB
    return 0;
}

} // namespace flotilla::testing
