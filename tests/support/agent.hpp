#pragma once
/// A simulated osquery agent for tests: enrolls with a secret, fetches its
/// config, polls distributed/read, answers every query it is given the way a
/// host of its platform would, and ships logs, over HTTP or TLS.

#include "tests/support/http_client.hpp"

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

namespace flotilla::testing {

struct agent_identity {
    std::string host_identifier = "agent-1";
    std::string hostname = "agent-1.local";
    std::string uuid = "00000000-0000-0000-0000-000000000001";
    std::string platform = "ubuntu"; ///< os_version.platform
    std::string os_name = "Ubuntu";
    std::string ip = "10.0.0.1";
    std::string mac = "02:00:00:00:00:01";
};

class simulated_agent {
public:
    simulated_agent(unsigned short port, client_options opts, agent_identity id);

    /// POST /enroll; returns the status (the node key is kept on 200).
    int enroll(const std::string& secret, bool with_details = true);
    /// POST /config; the body on 200.
    http_reply config();
    /// POST /distributed/read; the queries on 200.
    http_reply read();
    /// Answers `queries` as this host would and posts them to /distributed/write.
    http_reply answer(const boost::json::object& queries);
    /// read() then answer() until nothing is due (at most `rounds`); the names answered.
    std::vector<std::string> check_in(int rounds = 3);
    /// POST /log.
    http_reply log(const std::string& type, const boost::json::array& data);

    /// Policy queries containing this text fail on this host (status 1).
    std::string failing_marker = "FAILS_ON_PURPOSE";
    /// Policy queries containing this text return no rows (the policy fails).
    std::string no_rows_marker = "NO_ROWS";

    const std::string& node_key() const { return node_key_; }
    void set_node_key(std::string k) { node_key_ = std::move(k); }
    const agent_identity& identity() const { return id_; }

private:
    http_reply post(const std::string& path, const boost::json::object& body);
    /// The rows this host returns for `sql` (and whether it fails).
    std::pair<boost::json::array, bool> run(const std::string& name, const std::string& sql) const;

    http_client client_;
    agent_identity id_;
    std::string node_key_;
};

} // namespace flotilla::testing
