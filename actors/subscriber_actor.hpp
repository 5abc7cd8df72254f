#pragma once
/// Design: one actor per results-stream connection (raw WebSocket or SockJS).
/// It runs the handshake of fleet-behaviour.md §5 (auth, then select_campaign,
/// with Fleet's error texts), subscribes to the campaign actor and relays what
/// the campaign sends. It knows nothing of the transport: it writes to a sink
/// (the transport adds any framing) and is told when the connection is gone by
/// an exit message, which the campaign sees as the subscriber leaving.

#include "model/clock.hpp"

#include <caf/fwd.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace flotilla::actors {

/// Where a subscriber's messages go; both functions are thread-safe.
struct subscriber_sink {
    /// JSON messages sent together: a replay, a tick's totals and status, one
    /// result. A transport's queue bound counts these batches, not messages, so a
    /// replay (bounded by max_buffered_results) never counts as a slow client.
    std::function<void(std::shared_ptr<const std::vector<std::string>>)> send;
    std::function<void()> close; ///< close the connection (code 1000)
    /// SockJS's `h` frame every heartbeat_interval; empty for the raw WebSocket
    /// (its transport pings).
    std::function<void()> heartbeat;
};

/// How often a SockJS subscriber sends `h`.
inline constexpr std::chrono::seconds heartbeat_interval{25};

/// `clock` is the time the `auth` message's session is judged at (the REST
/// API's clock: service::authenticate); `heartbeat` is how often the sink's
/// heartbeat runs (when it has one).
caf::actor spawn_subscriber(caf::actor_system& sys, caf::actor persistence, caf::actor registry,
                            subscriber_sink sink, clock_fn clock,
                            std::chrono::milliseconds heartbeat = heartbeat_interval);

/// Hands a text frame the client sent to its subscriber.
void subscriber_text(const caf::actor& subscriber, std::string text);

} // namespace flotilla::actors
