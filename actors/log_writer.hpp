#pragma once
/// Design: osquery's result and status logs are appended as NDJSON to two files
/// (like Fleet's filesystem logger) by one detached actor, so the check-in path
/// only hands over the lines and never waits on the disk. A write that fails
/// (full disk, unwritable path) is logged and counted; the file is reopened on
/// the next batch.

#include "actors/messages.hpp"

#include <atomic>
#include <caf/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flotilla::actors {

struct log_files {
    std::string result_path = "/tmp/osquery_result";
    std::string status_path = "/tmp/osquery_status";
};

/// Counters the writer keeps (readable from any thread).
struct log_counters {
    std::atomic<std::uint64_t> lines_written{0};
    std::atomic<std::uint64_t> write_failures{0};
};

/// Spawns the writer; `counters` outlives it.
caf::actor spawn_log_writer(caf::actor_system& sys, log_files files,
                            std::shared_ptr<log_counters> counters);

/// Hands lines (one JSON document each, no newline) to the writer.
void write_log_lines(const caf::actor& writer, log_kind kind, std::vector<std::string> lines);

} // namespace flotilla::actors
