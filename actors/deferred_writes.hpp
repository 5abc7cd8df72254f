#pragma once
/// Design: writes that were acknowledged before they reached the store (seen
/// times, detail/label/policy results) must survive a store outage. The
/// persistence actor runs them through a `deferred_writes` queue: while the store
/// answers `unavailable` they are kept, in order, and retried until written.
/// Memory is bounded in bytes: past the limit the oldest kept writes are
/// dropped, each with a warning and a count. Kept writes are replayed whole, so
/// they must be idempotent (they are: each sets values, none adds to them).

#include "actors/messages.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

namespace flotilla::actors {

/// Acknowledged writes kept while the store is unavailable hold at most this
/// many bytes; past it the oldest are dropped.
inline constexpr std::size_t max_deferred_bytes = std::size_t{64} << 20;

/// What happened to acknowledged writes (readable from any thread).
struct deferred_counters {
    std::atomic<std::uint64_t> kept{0};           ///< writes kept: the store was unavailable
    std::atomic<std::uint64_t> written_late{0};   ///< kept writes written once it was back
    std::atomic<std::uint64_t> dropped{0};        ///< kept writes dropped past the byte limit
    std::atomic<std::uint64_t> failed{0};         ///< writes given up on another error
    std::atomic<std::size_t> pending{0};          ///< writes kept now
    std::atomic<std::size_t> pending_bytes{0};    ///< their bytes
    std::atomic<std::uint64_t> job_exceptions{0}; ///< store jobs that threw
};

/// The queue of kept writes; used by the persistence actor, callable directly.
class deferred_writes {
public:
    deferred_writes(std::size_t max_bytes, std::shared_ptr<deferred_counters> counters);

    /// Runs `w` now, unless writes are already kept (then it queues behind them,
    /// keeping order); keeps it when the store is unavailable.
    void submit(storage::store& st, acked_write w);
    /// Retries up to `n` kept writes in order, stopping at the first the store
    /// still refuses; returns how many left the queue.
    std::size_t retry(storage::store& st, std::size_t n);

    bool empty() const { return queue_.empty(); }
    std::size_t size() const { return queue_.size(); }
    std::size_t bytes() const { return bytes_; }
    const deferred_counters& counters() const { return *counters_; }

private:
    enum class outcome { written, unavailable, failed };
    /// Runs one write, whatever it throws.
    outcome run(storage::store& st, acked_write& w);
    void keep(acked_write w);
    void publish();

    std::size_t max_bytes_;
    std::shared_ptr<deferred_counters> counters_;
    std::deque<acked_write> queue_;
    std::size_t bytes_ = 0;
};

} // namespace flotilla::actors
