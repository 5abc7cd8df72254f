#include "actors/log_writer.hpp"

#include "actors/guard.hpp"
#include "actors/messages.hpp"

#include <caf/all.hpp>
#include <cstdio>
#include <spdlog/spdlog.h>

namespace flotilla::actors {

namespace {

/// One append-only file, reopened after a failure.
class ndjson_file {
public:
    explicit ndjson_file(std::string path) : path_(std::move(path)) {}
    ~ndjson_file() {
        if (f_)
            std::fclose(f_);
    }
    ndjson_file(const ndjson_file&) = delete;
    ndjson_file& operator=(const ndjson_file&) = delete;

    /// Appends and flushes; false when the file cannot be opened or written.
    bool append(const std::vector<std::string>& lines) {
        if (!f_)
            f_ = std::fopen(path_.c_str(), "a");
        if (!f_)
            return false;
        bool ok = true;
        for (const auto& l : lines)
            ok = ok && std::fwrite(l.data(), 1, l.size(), f_) == l.size() &&
                 std::fputc('\n', f_) != EOF;
        ok = ok && std::fflush(f_) == 0;
        if (!ok) {
            std::fclose(f_);
            f_ = nullptr;
        }
        return ok;
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::FILE* f_ = nullptr;
};

struct log_writer_state {
    static inline const char* name = "log_writer";
    std::unique_ptr<ndjson_file> result, status;
    std::shared_ptr<log_counters> counters;

    void on_lines(log_kind kind, const std::vector<std::string>& lines) {
        auto& file = kind == log_kind::result ? *result : *status;
        if (file.append(lines)) {
            counters->lines_written += lines.size();
            return;
        }
        const auto failures = ++counters->write_failures;
        if (failures == 1 || failures % 1000 == 0) // logged, not flooded
            spdlog::error("cannot write osquery {} log to {} ({} failed writes so far)",
                          kind == log_kind::result ? "result" : "status", file.path(), failures);
    }
};

caf::behavior log_writer(caf::stateful_actor<log_writer_state>* self, log_files files,
                         std::shared_ptr<log_counters> counters) {
    self->state.result = std::make_unique<ndjson_file>(files.result_path);
    self->state.status = std::make_unique<ndjson_file>(files.status_path);
    self->state.counters = std::move(counters);
    return {
        guarded("log_writer", [=](log_lines_msg& m) { self->state.on_lines(m.kind, m.lines); }),
    };
}

} // namespace

caf::actor spawn_log_writer(caf::actor_system& sys, log_files files,
                            std::shared_ptr<log_counters> counters) {
    return sys.spawn<caf::detached>(log_writer, std::move(files), std::move(counters));
}

void write_log_lines(const caf::actor& writer, log_kind kind, std::vector<std::string> lines) {
    caf::anon_send(writer, log_lines_msg{kind, std::move(lines)});
}

} // namespace flotilla::actors
