#include "actors/deferred_writes.hpp"

#include <spdlog/spdlog.h>

namespace flotilla::actors {

namespace {

/// Past the first, one warning per this many dropped writes (a flood of them
/// must not flood the log too).
constexpr std::uint64_t drop_warning_every = 1000;

} // namespace

deferred_writes::deferred_writes(std::size_t max_bytes, std::shared_ptr<deferred_counters> counters)
    : max_bytes_(max_bytes),
      counters_(counters ? std::move(counters) : std::make_shared<deferred_counters>()) {}

deferred_writes::outcome deferred_writes::run(storage::store& st, acked_write& w) {
    std::string why;
    try {
        auto ok = w.run(st);
        if (ok)
            return outcome::written;
        if (ok.err().code == errc::unavailable)
            return outcome::unavailable;
        why = ok.err().message;
    } catch (const std::exception& e) {
        why = std::string("exception: ") + e.what();
    } catch (...) {
        why = "unknown exception";
    }
    spdlog::warn("giving up on {}: {}", w.what, why);
    ++counters_->failed;
    return outcome::failed;
}

void deferred_writes::submit(storage::store& st, acked_write w) {
    if (!queue_.empty())
        return keep(std::move(w));
    switch (run(st, w)) {
    case outcome::unavailable:
        spdlog::warn("the store is unavailable: keeping {} until it is back", w.what);
        return keep(std::move(w));
    case outcome::written:
    case outcome::failed:
        return;
    }
}

void deferred_writes::keep(acked_write w) {
    bytes_ += w.bytes;
    queue_.push_back(std::move(w));
    ++counters_->kept;
    while (bytes_ > max_bytes_ && queue_.size() > 1) {
        auto& old = queue_.front();
        const auto dropped = ++counters_->dropped;
        if (dropped == 1 || dropped % drop_warning_every == 0)
            spdlog::warn("kept store writes exceed {} bytes: dropping the oldest, {} ({} dropped "
                         "so far)",
                         max_bytes_, old.what, dropped);
        bytes_ -= old.bytes;
        queue_.pop_front();
    }
    publish();
}

std::size_t deferred_writes::retry(storage::store& st, std::size_t n) {
    std::size_t done = 0;
    while (done < n && !queue_.empty()) {
        auto& w = queue_.front();
        const auto r = run(st, w);
        if (r == outcome::unavailable)
            break;
        bytes_ -= w.bytes;
        queue_.pop_front();
        // Pending first: a reader that sees the write counted as written sees it gone.
        publish();
        if (r == outcome::written)
            ++counters_->written_late;
        ++done;
    }
    if (done > 0 && queue_.empty())
        spdlog::info("the store is back: every kept write is written");
    publish();
    return done;
}

void deferred_writes::publish() {
    counters_->pending = queue_.size();
    counters_->pending_bytes = bytes_;
}

} // namespace flotilla::actors
