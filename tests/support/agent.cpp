#include "tests/support/agent.hpp"

#include "model/query_name.hpp"

namespace flotilla::testing {

namespace bj = boost::json;

simulated_agent::simulated_agent(unsigned short port, client_options opts, agent_identity id)
    : client_(port, opts), id_(std::move(id)) {}

http_reply simulated_agent::post(const std::string& path, const bj::object& body) {
    return client_.request("POST", "/api/v1/osquery" + path, bj::serialize(body));
}

int simulated_agent::enroll(const std::string& secret, bool with_details) {
    bj::object body{{"enroll_secret", secret}, {"host_identifier", id_.host_identifier}};
    if (with_details)
        body["host_details"] =
            bj::object{{"os_version",
                        {{"name", id_.os_name},
                         {"platform", id_.platform},
                         {"major", "22"},
                         {"minor", "4"},
                         {"patch", "0"}}},
                       {"osquery_info", {{"version", "5.10.2"}}},
                       {"system_info", {{"hostname", id_.hostname}, {"uuid", id_.uuid}}}};
    auto r = post("/enroll", body);
    if (r.status == 200)
        node_key_ = std::string(r.json().at("node_key").as_string());
    return r.status;
}

http_reply simulated_agent::config() {
    return post("/config", {{"node_key", node_key_}});
}

http_reply simulated_agent::read() {
    return post("/distributed/read", {{"node_key", node_key_}});
}

std::pair<bj::array, bool> simulated_agent::run(const std::string& name,
                                                const std::string& sql) const {
    if (const auto q = parse_query_name(name); q && q->kind == query_kind::detail) {
        const std::string d(q->detail);
        if (d == "os_version")
            return {{bj::object{{"name", id_.os_name},
                                {"platform", id_.platform},
                                {"major", "22"},
                                {"minor", "4"},
                                {"patch", "0"},
                                {"build", "22.04"}}},
                    false};
        if (d == "osquery_info")
            return {{bj::object{{"version", "5.10.2"}}}, false};
        if (d == "system_info")
            return {{bj::object{{"hostname", id_.hostname},
                                {"uuid", id_.uuid},
                                {"cpu_brand", "Test CPU"},
                                {"cpu_logical_cores", "8"},
                                {"physical_memory", "17179869184"},
                                {"hardware_vendor", "Acme"}}},
                    false};
        if (d == "osquery_flags")
            return {{bj::object{{"name", "distributed_interval"}, {"value", "10"}},
                     bj::object{{"name", "config_tls_refresh"}, {"value", "60"}},
                     bj::object{{"name", "logger_tls_period"}, {"value", "10"}}},
                    false};
        if (d == "network_interface")
            return {{bj::object{{"address", "127.0.0.1"}, {"mac", "00:00:00:00:00:00"}},
                     bj::object{{"address", id_.ip}, {"mac", id_.mac}}},
                    false};
        if (d == "uptime")
            return {{bj::object{{"total_seconds", "3600"}}}, false};
        return {{}, false};
    }
    if (sql.find(failing_marker) != std::string::npos)
        return {{}, true};
    if (sql.find(no_rows_marker) != std::string::npos)
        return {{}, false};
    // A platform test matches only this host's platform.
    const std::string platform_test = "platform = '";
    if (auto p = sql.find(platform_test); p != std::string::npos) {
        auto end = sql.find('\'', p + platform_test.size());
        const std::string wanted =
            sql.substr(p + platform_test.size(), end - p - platform_test.size());
        if (wanted != id_.platform)
            return {{}, false};
    } else if (sql.find("LIKE") != std::string::npos || sql.find("like") != std::string::npos) {
        return {{}, false}; // the name-pattern builtins: no match on this host
    }
    return {{bj::object{{"1", "1"}}}, false};
}

http_reply simulated_agent::answer(const bj::object& queries) {
    bj::object results, statuses, messages;
    for (const auto& kv : queries) {
        auto [rows, failed] = run(std::string(kv.key()), std::string(kv.value().as_string()));
        results[kv.key()] = failed ? bj::value("") : bj::value(rows);
        statuses[kv.key()] = failed ? 1 : 0;
        if (failed)
            messages[kv.key()] = "no such table: nothing";
    }
    return post("/distributed/write", {{"node_key", node_key_},
                                       {"queries", results},
                                       {"statuses", statuses},
                                       {"messages", messages}});
}

std::vector<std::string> simulated_agent::check_in(int rounds) {
    std::vector<std::string> answered;
    for (int i = 0; i < rounds; ++i) {
        auto r = read();
        if (r.status != 200)
            break;
        const auto body = r.json();
        const auto& queries = body.at("queries").as_object();
        if (queries.empty())
            break;
        for (const auto& kv : queries)
            answered.emplace_back(kv.key());
        if (answer(queries).status != 200)
            break;
    }
    return answered;
}

http_reply simulated_agent::log(const std::string& type, const bj::array& data) {
    return post("/log", {{"node_key", node_key_}, {"log_type", type}, {"data", data}});
}

} // namespace flotilla::testing
