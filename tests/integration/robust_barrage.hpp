#pragma once
/// The robustness test's driver: the real binary on a fresh store, and the
/// barrage of hostile requests with the checks every answer must pass.

#include "tests/integration/robust_cases.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::testing {
class simulated_agent;
}

namespace flotilla::testing::robust {

/// `flotilla serve` on port 0 on a fresh SQLite file or MariaDB database.
class served_binary {
public:
    explicit served_binary(backend b);
    ~served_binary();
    /// True while the process has not exited.
    bool running();
    /// True when the process exits within `deadline` (a dying one takes a moment).
    bool exits_within(std::chrono::milliseconds deadline);
    unsigned short port() const { return port_; }
    /// Reads what the process has printed so far (without blocking long).
    const std::string& output();

private:
    backend kind_;
    std::string dir_;
    std::string database_;
    std::unique_ptr<child_process> proc_;
    unsigned short port_ = 0;
};

/// What the barrage knows after setup: credentials and the baseline names.
struct state {
    std::string token;
    std::string secret;
    std::string node_key;
    std::string hostname;
    std::int64_t host_id = 0;
};

/// Stored specs by kind ("queries", "packs", "labels", "policies", "secrets"),
/// each by name.
using stored = std::map<std::string, std::map<std::string, boost::json::value>>;

class barrage {
public:
    explicit barrage(served_binary& srv);
    ~barrage();

    /// Before setup: every route, malformed bodies and the setup body's variants.
    void hostile_bodies_without_credentials();
    /// Setup, login, the baseline specs, an enrolled agent, a campaign.
    state setup_and_baseline();
    /// Every route: bodies and path parameters, without and with credentials.
    void every_route(const state& st);
    /// Beyond the generated variants: bodies that are not gzip, a gzip bomb, a
    /// long SQL text, odd Authorization headers, malformed HTTP framing.
    void other_inputs(const state& st);
    /// Inputs that ended the process when this test was written (kept enabled).
    void known_crashers(const state& st);
    /// The store's specs, as the API lists them.
    stored stored_specs(const state& st);
    /// me, a spec round-trip, the agent's read; the specs are the baseline plus
    /// what accepted requests added.
    void check_alive_and_consistent(const state& st, const stored& before);

    bool alive();
    bool fatal() const { return fatal_; }
    std::size_t failures() const { return failures_.size(); }
    std::size_t sent() const { return sent_; }
    std::size_t accepted() const { return accepted_.size(); }
    /// The first failures, one a line.
    std::string report() const;

private:
    enum class mode { none, bad_credentials, valid };
    struct expect {
        bool may_accept = false;
        int exact = 0; ///< 0: any 4xx (or 2xx when may_accept)
    };

    std::optional<http_reply> send(const std::string& method, const std::string& target,
                                   const std::string& body, const header_list& headers);
    void probe(const route_spec& r, mode m, const std::string& what, const std::string& target,
               const std::string& body, expect e, const header_list& extra = {});
    void route_bodies(const route_spec& r, mode m, const state& st);
    void route_targets(const route_spec& r, mode m, const state& st);
    /// For xhr_send after setup: opens a new SockJS session and puts its id in
    /// `params` (an idle session is closed after two unpolled heartbeats, which a
    /// barrage slowed by a sanitizer outlasts, so each run of the route has its own).
    void fresh_send_session(const route_spec& r, route_spec::param_list& params);
    context context_for(mode m, const state& st);
    header_list auth(const route_spec& r, mode m, const state& st) const;
    void fail(std::string msg);

    served_binary& srv_;
    std::unique_ptr<http_client> client_;
    std::unique_ptr<simulated_agent> agent_;
    std::vector<std::string> failures_;
    std::vector<std::pair<std::string, std::string>> accepted_; ///< pattern, body
    std::size_t sent_ = 0;
    int next_tag_ = 0;
    bool fatal_ = false;
    bool setup_done_ = false;
};

} // namespace flotilla::testing::robust
