#pragma once
/// The results-stream handshake (fleet-behaviour.md §5) as a pure state
/// machine: the subscriber actor feeds it the client's text frames and the
/// answers it asked for, and does the one step it returns (close, check a
/// token, find a campaign). Unit-tested without an actor or a socket.

#include "model/user.hpp"

#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::actors {

enum class subscriber_phase { auth, authenticating, select, selecting, streaming, closed };

/// What the actor does next.
struct subscriber_step {
    enum class kind { none, close, authenticate, find_campaign };
    kind what = kind::none;
    std::optional<std::string> message; ///< close: the error sent first (none: just close)
    std::string token;                  ///< authenticate: the `auth` message's token
    std::int64_t campaign_id = 0;       ///< find_campaign: the campaign selected
};

class subscriber_machine {
public:
    subscriber_phase phase() const { return at_; }
    /// The user the `auth` message signed in (from select on).
    const std::optional<user>& viewer() const { return viewer_; }

    /// A text frame from the client: one JSON object, or an array of them (as
    /// a SockJS client batches). Ignored once streaming; malformed closes
    /// (silently before auth, "error reading select_campaign" after). Messages
    /// that arrive while a check is under way wait for it.
    subscriber_step on_text(std::string_view text);
    /// The answer to `authenticate`: no user, or one who must reset their
    /// password, is "unauthorized".
    subscriber_step on_auth_result(std::optional<user> u);
    /// The campaign sent its first message: from now on only it speaks.
    void on_streaming();
    /// Ends the handshake; true when it was still open (so the actor sends the
    /// message, if any, and closes the connection exactly once).
    bool close();

private:
    subscriber_step next();
    subscriber_step fail(std::optional<std::string> message);
    subscriber_step on_auth(const boost::json::object& msg);
    subscriber_step on_select(const boost::json::object& msg);

    subscriber_phase at_ = subscriber_phase::auth;
    std::deque<boost::json::object> waiting_;
    std::optional<user> viewer_;
};

} // namespace flotilla::actors
