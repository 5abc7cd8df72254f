#pragma once
/// Every atom and message type the actors exchange, in one place (CAF 0.17:
/// atoms are at most 10 characters; non-inspectable types are allowed here).
/// A leaf: it includes model/ and storage/ only; the actor headers include it.

#include "model/campaign.hpp"
#include "model/error.hpp"
#include "model/host.hpp"
#include "model/user.hpp"
#include "storage/store.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flotilla::actors {

// --- payloads -------------------------------------------------------------------

/// The identity an authenticated agent request resolves to.
struct host_ref {
    std::int64_t id = 0;
    std::optional<std::int64_t> team_id;
    std::string platform;
};

/// One answer in a distributed/write.
struct query_result {
    std::string name;
    std::vector<result_row> rows;
    bool failed = false;
    std::string message;
};

/// A distributed/read answer.
struct read_answer {
    std::vector<std::pair<std::string, std::string>> queries; ///< name → SQL
    bool accelerate = false;
};

/// Callbacks the registry answers through (called on the registry's thread).
using auth_reply = std::function<void(expected<host_ref>)>;
using read_reply = std::function<void(expected<read_answer>)>;
using write_reply = std::function<void(expected<void>)>;

/// Which of osquery's logs a line belongs to.
enum class log_kind { result, status };

// --- atoms and messages ---------------------------------------------------------

/// Runs a unit of work against the store on the persistence actor.
using job_atom = caf::atom_constant<caf::atom("job")>;
/// Periodic housekeeping (expired sessions) on the persistence actor.
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

/// Seen times are due to be written (host registry).
using flush_atom = caf::atom_constant<caf::atom("flush")>;
/// To the persistence actor: an enrollment (persistence_actor.hpp).
using enroll_atom = caf::atom_constant<caf::atom("enroll")>;
/// The label/policy catalogue is due to be reloaded (host registry).
using catalog_atom = caf::atom_constant<caf::atom("catalog")>;
/// Hosts unseen for the host expiry window are due to be deleted (host registry).
using expire_atom = caf::atom_constant<caf::atom("expire")>;
/// To the registry (request, answered with the same ids once forgotten) and to
/// a campaign: these hosts were deleted.
struct hosts_removed_msg {
    std::vector<std::int64_t> ids;
};

/// To the registry (request, answered with how many it knew once applied):
/// these hosts moved to `team_id` (nullopt: no team), by a transfer or because
/// their team was deleted. Their agent config and team policies follow at once.
struct hosts_team_msg {
    std::vector<std::int64_t> ids;
    std::optional<std::int64_t> team_id;
};

/// To the host registry: a host was enrolled; `done` runs once it is known.
struct registry_register_msg {
    host h;
    std::string previous_node_key;
    std::function<void()> done;
};
/// To the host registry: resolve a node key (config, log).
struct registry_auth_msg {
    std::string node_key;
    auth_reply reply;
};
/// To the host registry: a distributed/read.
struct registry_read_msg {
    std::string node_key;
    read_reply reply;
};
/// To the host registry: a distributed/write's answers.
struct registry_write_msg {
    std::string node_key;
    std::vector<query_result> results;
    write_reply reply;
};
/// To the host registry: detail ingestion stored new facts about a host.
struct host_updated_msg {
    std::int64_t id;
    std::string platform;
    std::string hostname;
    std::int64_t online_window_s;
};

/// A campaign's timer: no subscriber yet → cancel.
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
/// A campaign's 5 s tick.
using tick_atom = caf::atom_constant<caf::atom("tick")>;
/// To a SockJS subscriber: time for an `h` frame.
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
/// To a subscriber: the campaign ended; close the stream.
using close_atom = caf::atom_constant<caf::atom("close")>;

/// To a campaign: a subscriber wants the stream.
struct subscribe_msg {
    caf::actor subscriber;
    std::int64_t user_id;
};
/// To a subscriber: messages to send, in order (serialised JSON); shared by
/// every subscriber of a campaign, so a large result is not copied per mailbox.
struct stream_msg {
    std::shared_ptr<const std::vector<std::string>> texts;
};
/// To a subscriber: send this error, then close.
struct campaign_error_msg {
    std::string text;
};
/// To the registry: stop handing a campaign out.
struct stop_campaign_msg {
    std::int64_t id;
    std::string reason;
};
/// To the registry (request): current counts of these hosts.
struct counts_msg {
    std::vector<std::int64_t> host_ids;
};
/// To the registry: start a campaign; `reply` gets the metrics.
struct start_campaign_msg {
    campaign c;
    std::string sql;
    std::vector<std::int64_t> host_ids;
    std::function<void(host_counts)> reply;
};
/// To the registry (request): find a campaign's actor for a subscriber.
struct find_campaign_msg {
    std::int64_t id;
};
/// The registry's answer: the campaign's actor, or why there is none (Fleet's
/// text: "cannot find campaign for ID n", or the reason it was stopped).
struct found_campaign_msg {
    caf::actor campaign;
    std::string missing;
};
/// How long a subscriber waits for the registry's answer.
inline constexpr std::chrono::seconds find_campaign_timeout{10};

/// To a subscriber: a text frame from its client.
struct client_text_msg {
    std::string text;
};
/// To a subscriber: the user its token belongs to (none: unauthorized).
struct auth_result_msg {
    std::optional<user> u;
};

/// To the log writer: lines for one of its files.
struct log_lines_msg {
    log_kind kind;
    std::vector<std::string> lines;
};

/// Work for the persistence actor: runs with exclusive access to the store and
/// answers through whatever reply handle it captured (never by blocking). For
/// an HTTP responder (the Asio → actor edge) or work nobody waits for; an actor
/// that wants an answer asks with a store_query.
struct store_job {
    store_job() = default;
    store_job(std::function<void(storage::store&)> r) : run(std::move(r)) {}
    store_job(std::function<void(storage::store&)> r, std::function<void(const error&)> f)
        : run(std::move(r)), failed(std::move(f)) {}

    std::function<void(storage::store&)> run;
    /// Called instead of an answer when `run` throws (the job's reply handle
    /// still answers: a 500 rather than a request that never ends). May be empty.
    std::function<void(const error&)> failed;
};

/// A question an actor asks the persistence actor as a CAF request
/// (`ask_atom`, store_query): `run` computes the answer against the store, and it
/// is the response; a `run` that throws is answered with an error. The asker
/// waits for it with `.then(answer, error)` and `store_answer_timeout`.
struct store_query {
    std::function<caf::message(storage::store&)> run;
};
/// The question `f(store)`, whose answer is the value `f` returns.
template <class F> store_query make_store_query(F f) {
    return {[f = std::move(f)](storage::store& st) { return caf::make_message(f(st)); }};
}
using ask_atom = caf::atom_constant<caf::atom("ask")>;
/// How long an actor waits for the persistence actor's answer (a request or an
/// acked_write's receipt) before it goes on without it.
inline constexpr std::chrono::seconds store_answer_timeout{30};

/// A write whose sender has already been answered (seen times, check-in
/// results): the persistence actor keeps it while the store is unavailable and
/// retries it until it is written (see deferred_writes.hpp).
struct acked_write {
    /// What it is, for logs ("seen times of 2000 hosts").
    std::string what;
    /// About how much memory it holds, for the byte bound on kept writes.
    std::size_t bytes = 0;
    /// The store work; an `unavailable` error means "keep it and retry".
    std::function<expected<void>(storage::store&)> run;
};
/// Sends an acked_write to the persistence actor; as a request, it is answered
/// with `acked_atom` once the write is written, kept or given up on, so the
/// sender can hand over its next write without waiting for the store to return.
using acked_atom = caf::atom_constant<caf::atom("acked")>;
/// The persistence actor retries its kept writes.
using retry_atom = caf::atom_constant<caf::atom("retry")>;

} // namespace flotilla::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::store_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::store_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::acked_write)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_register_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_auth_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_read_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::registry_write_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::host_updated_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::storage::query_catalog)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::expected<flotilla::storage::query_catalog>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::expected<std::optional<flotilla::micros>>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::expected<void>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::hosts_removed_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::hosts_team_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::log_lines_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::subscribe_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::stream_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::campaign_error_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::stop_campaign_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::counts_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::start_campaign_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::find_campaign_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::found_campaign_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::campaign_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::host_counts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::client_text_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(flotilla::actors::auth_result_msg)
