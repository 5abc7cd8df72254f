/// fleetctl and the Fleet UI, replayed request by request over HTTPS (fleetctl
/// always dials wss:// for live queries) on both stores: what a 2022 fleetctl
/// (4.9, /api/v1) and a current one (/api/latest, reports and fleets) send for
/// setup → login → apply -f of every kind in fleetctl's order → each get →
/// user create → query --hosts/--labels, and the 4.9 UI's boot sequence up to a
/// live query's SockJS stream. Each step asserts exactly the fields the client
/// decodes (the request sequences: fleet-rest.md §2.4, §8 and fleetctl's
/// client code as read for this test: fleet-notes/fleetctl-wire.md).

#include "tests/support/agent.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/served_test.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

/// The paths one fleetctl generation uses.
struct dialect {
    bool current = false;
    std::string api; ///< "/api/v1/fleet" or "/api/latest/fleet"
    std::string queries_spec, teams_spec, queries, teams, run;
};

const dialect fleetctl_2022{false,      "/api/v1/fleet", "/spec/queries",        "/spec/teams",
                            "/queries", "/teams",        "/queries/run_by_names"};
const dialect fleetctl_current{
    true,      "/api/latest/fleet",          "/spec/reports", "/spec/fleets", "/reports",
    "/fleets", "/reports/run_by_identifiers"};

/// True when every timestamp key of `v` (recursively) is RFC 3339, as Go's
/// time.Time decoding requires.
bool times_decode(const bj::value& v) {
    if (const auto* o = v.if_object()) {
        for (const auto& kv : *o) {
            const std::string key(kv.key());
            const bool time_key = key.ends_with("_at") || key == "seen_time";
            if (time_key && !kv.value().is_null()) {
                const auto* s = kv.value().if_string();
                if (!s || s->size() < 20 || (*s)[4] != '-' || (*s)[10] != 'T' ||
                    (s->back() != 'Z' && s->find('+') == bj::string::npos))
                    return false;
            }
            if (!times_decode(kv.value()))
                return false;
        }
    } else if (const auto* a = v.if_array()) {
        for (const auto& e : *a)
            if (!times_decode(e))
                return false;
    }
    return true;
}

class fleetctl_wire_test : public served_test {
protected:
    static void SetUpTestSuite() {
        dir_ =
            std::filesystem::temp_directory_path() / ("flotilla_wire_" + std::to_string(getpid()));
        std::filesystem::create_directories(dir_);
        const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                                "-nodes -days 2 -subj /CN=localhost -keyout " +
                                dir_ + "/key.pem -out " + dir_ + "/cert.pem 2>/dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    void SetUp() override {
        serve(server_options::with_tls(dir_ + "/cert.pem", dir_ + "/key.pem"));
    }

    /// One request as fleetctl's Go client sends it.
    http_reply send(const std::string& method, const std::string& path,
                    const std::string& body = "", bool auth = true) {
        header_list h = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
        if (auth)
            h.emplace_back("Authorization", "Bearer " + token_);
        log_.push_back(method + " " + path);
        return http_once(srv_->port(), method, path, body, h, srv_->client_opts());
    }
    /// What fleetctl accepts as success: exactly 200 (2022) or a 2xx (current),
    /// a JSON object, no "error" key; returns the body.
    bj::object ok(const http_reply& r, const std::string& what) {
        EXPECT_EQ(r.status, 200) << what << ": " << r.body;
        bj::object o;
        try {
            auto v = r.json();
            EXPECT_TRUE(v.is_object()) << what << ": " << r.body;
            if (v.is_object())
                o = v.as_object();
        } catch (const std::exception& e) {
            ADD_FAILURE() << what << ": not JSON: " << r.body;
        }
        EXPECT_FALSE(o.contains("error")) << what;
        EXPECT_TRUE(times_decode(o)) << what << ": a time Go cannot decode: " << r.body;
        return o;
    }
    /// The check fleetctl makes before every command but setup and login.
    void preflight(const dialect& d) {
        if (!d.current) {
            EXPECT_EQ(send("GET", "/api/v1/fleet/me").status, 200);
            return;
        }
        auto v = ok(send("GET", "/api/latest/fleet/version"), "preflight version");
        EXPECT_TRUE(v.contains("version"));
        ok(send("GET", "/api/latest/fleet/config"), "preflight config");
    }

    void setup_and_login(const dialect& d) {
        // fleetctl setup: always /api/v1/setup; fleetctl dereferences `token`.
        const std::string server_url = "https://localhost:" + std::to_string(srv_->port());
        auto s = ok(send("POST", "/api/v1/setup",
                         R"({"admin":{"name":"Admin","email":"admin@example.com",
                             "password":"admin-pass-1!"},
                             "org_info":{"org_name":"Acme","org_logo_url":""},
                             "server_url":")" +
                             server_url + R"("})",
                         false),
                    "setup");
        ASSERT_TRUE(s.contains("token") && s.at("token").is_string());
        // Setup again: 404, which fleetctl reports as "already set up".
        EXPECT_EQ(send("POST", "/api/v1/setup", "{}", false).status, 404);
        const std::string login =
            d.current ? R"({"email":"admin@example.com","password":"admin-pass-1!",
                            "supports_email_verification":false})"
                      : R"({"Email":"admin@example.com","Password":"admin-pass-1!"})";
        auto l = ok(send("POST", d.api + "/login", login, false), "login");
        ASSERT_TRUE(l.contains("token"));
        token_ = std::string(l.at("token").as_string());
    }

    /// fleetctl apply -f of one file with every kind, in fleetctl's order.
    void apply_everything(const dialect& d) {
        preflight(d);
        const std::string api = d.api;
        const std::string queries = R"({"specs":[
            {"name":"osquery version","description":"Which osquery","query":"SELECT version FROM osquery_info"},
            {"name":"50% done","query":"SELECT 1"}]})";
        const std::string labels = R"({"specs":[{"id":0,"name":"wire label","description":"",
            "query":"SELECT 1 FROM os_version","label_membership_type":"dynamic"}]})";
        const std::string policies = R"({"specs":[{"name":"wire policy",
            "query":"SELECT 1 FROM osquery_info","description":"d","resolution":"r"}]})";
        const std::string packs = R"({"specs":[{"name":"wire pack","disabled":false,
            "targets":{"labels":["wire label"]},
            "queries":[{"query":"osquery version","name":"osquery version","description":"",
                        "interval":60}]}]})";
        const std::string config = R"({"agent_options":{"config":{"options":{
                "distributed_interval":10,"logger_tls_period":10}},"overrides":{}},
            "host_expiry_settings":{"host_expiry_enabled":false,"host_expiry_window":0},
            "org_info":{"org_logo_url":"","org_name":"Acme Wired"},
            "server_settings":{"live_query_disabled":false,"server_url":"https://localhost"},
            "smtp_settings":{"enable_smtp":false,"port":587}})";
        const std::string secrets = R"({"spec":{"secrets":[
            {"secret":"wire-secret","created_at":"0001-01-01T00:00:00Z"}]}})";
        const std::string teams = R"({"specs":[{"name":"wire team","agent_options":null,
            "secrets":[{"secret":"wire-team-secret","created_at":"0001-01-01T00:00:00Z"}]}]})";
        const std::string roles = d.current ? R"({"spec":{"roles":{"admin@example.com":
            {"global_role":"admin","fleets":null}}}})"
                                            : R"({"spec":{"roles":{"admin@example.com":
            {"global_role":"admin","teams":null}}}})";
        ok(send("POST", api + d.queries_spec, queries), "apply queries");
        ok(send("POST", api + "/spec/labels", labels), "apply labels");
        if (!d.current)
            ok(send("POST", api + "/spec/policies", policies), "apply policies");
        ok(send("POST", api + "/spec/packs", packs), "apply packs");
        ok(send("PATCH", api + "/config", config), "apply config");
        ok(send("POST", api + "/spec/enroll_secret", secrets), "apply enroll_secret");
        ok(send("POST", api + d.teams_spec, teams), "apply teams");
        if (d.current) // current fleetctl applies policies after teams
            ok(send("POST", api + "/spec/policies", policies), "apply policies");
        ok(send("POST", api + "/users/roles/spec", roles), "apply user_roles");
    }

    /// An agent enrolled with the applied secret, its details reported.
    std::unique_ptr<simulated_agent> enrolled_agent() {
        agent_identity id;
        id.host_identifier = "wire-agent";
        id.hostname = "wire-host";
        id.uuid = "11111111-2222-3333-4444-555555555555";
        auto a = std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(), id);
        EXPECT_EQ(a->enroll("wire-secret"), 200);
        a->check_in();
        return a;
    }

    /// Every `get` fleetctl has, with the fields it decodes.
    void get_everything(const dialect& d) {
        const std::string api = d.api;
        preflight(d);
        auto cfg = ok(send("GET", api + "/config"), "get config");
        EXPECT_EQ(cfg.at("org_info").at("org_name"), "Acme Wired");
        EXPECT_EQ(cfg.at("agent_options").at("config").at("options").at("distributed_interval"),
                  10);
        EXPECT_EQ(cfg.at("smtp_settings").at("port"), 587);
        EXPECT_TRUE(cfg.at("update_interval").at("osquery_detail").is_int64());
        EXPECT_TRUE(cfg.contains("license") && cfg.contains("logging"));

        preflight(d);
        auto hosts = ok(send("GET", api + (d.current ? "/hosts?additional_info_filters=%2A"
                                                     : "/hosts?additional_info_filters=*")),
                        "get hosts");
        ASSERT_EQ(hosts.at("hosts").as_array().size(), 1u);
        const auto& h = hosts.at("hosts").at(0).as_object();
        EXPECT_EQ(h.at("uuid"), "11111111-2222-3333-4444-555555555555");
        EXPECT_EQ(h.at("display_text"), "wire-host");
        EXPECT_EQ(h.at("platform"), "ubuntu");
        EXPECT_TRUE(h.at("osquery_version").is_string());
        EXPECT_EQ(h.at("status"), "online");

        preflight(d);
        auto host = ok(send("GET", api + "/hosts/identifier/wire-host"), "get host");
        EXPECT_EQ(host.at("host").at("hostname"), "wire-host");
        EXPECT_TRUE(host.at("host").at("labels").is_array());
        EXPECT_TRUE(host.at("host").at("packs").is_array());
        EXPECT_TRUE(host.at("host").at("policies").is_array());
        EXPECT_EQ(send("GET", api + "/hosts/identifier/nobody").status, 404);

        preflight(d);
        auto teams = ok(send("GET", api + d.teams), "get teams");
        ASSERT_EQ(teams.at("teams").as_array().size(), 1u);
        EXPECT_EQ(teams.at("teams").at(0).at("name"), "wire team");
        EXPECT_EQ(teams.at("teams").at(0).at("host_count"), 0);
        EXPECT_EQ(teams.at("teams").at(0).at("user_count"), 0);

        preflight(d);
        auto users = ok(send("GET", api + "/users"), "get user_roles");
        ASSERT_EQ(users.at("users").as_array().size(), 1u);
        EXPECT_EQ(users.at("users").at(0).at("email"), "admin@example.com");
        EXPECT_EQ(users.at("users").at(0).at("global_role"), "admin");
        EXPECT_EQ(users.at("users").at(0).at("teams"), bj::array{});

        preflight(d);
        if (d.current) {
            auto list = ok(send("GET", api + "/reports"), "get reports");
            ASSERT_EQ(list.at("queries").as_array().size(), 2u);
            EXPECT_EQ(list.at("queries").at(0).at("name"), "osquery version");
            auto me = ok(send("GET", api + "/me"), "get reports: me");
            EXPECT_EQ(me.at("user").at("global_role"), "admin");
        } else {
            auto list = ok(send("GET", api + "/spec/queries"), "get queries");
            ASSERT_EQ(list.at("specs").as_array().size(), 2u);
            EXPECT_EQ(list.at("specs").at(0).at("query"), "SELECT version FROM osquery_info");
        }
        // Names are escaped twice: "50% done" arrives as 50%2525%2520done.
        preflight(d);
        auto one = ok(send("GET", api + d.queries_spec + "/50%2525%2520done"), "get query");
        EXPECT_EQ(one.at("specs").at("name"), "50% done");
        EXPECT_EQ(one.at("specs").at("query"), "SELECT 1");
        EXPECT_EQ(send("GET", api + d.queries_spec + "/no%2520such").status, 404);

        preflight(d);
        auto labels =
            ok(send("GET", api + (d.current ? "/spec/labels?fleet_id=0" : "/spec/labels")),
               "get labels");
        bool found = false;
        for (const auto& l : labels.at("specs").as_array())
            found = found || l.at("name") == "wire label";
        EXPECT_TRUE(found);
        auto label = ok(send("GET", api + "/spec/labels/wire%2520label"), "get label");
        EXPECT_EQ(label.at("specs").at("label_membership_type"), "dynamic");

        preflight(d);
        auto packs = ok(send("GET", api + "/spec/packs"), "get packs");
        EXPECT_EQ(packs.at("specs").at(0).at("name"), "wire pack");
        EXPECT_EQ(packs.at("specs").at(0).at("targets").at("labels"), bj::array{"wire label"});

        preflight(d);
        auto secrets = ok(send("GET", api + "/spec/enroll_secret"), "get enroll_secret");
        EXPECT_EQ(secrets.at("spec").at("secrets").at(0).at("secret"), "wire-secret");
    }

    /// fleetctl user create --email --name --password (a global observer).
    void user_create(const dialect& d) {
        preflight(d);
        auto r = ok(send("POST", api_of(d) + "/users/admin",
                         R"({"name":"Wire User","email":"wire@example.com",
                             "password":"wire-pass-1!","sso_enabled":false,
                             "global_role":"observer","admin_forced_password_reset":true,
                             "api_only":false,"teams":null})"),
                    "user create");
        EXPECT_EQ(r.at("user").at("email"), "wire@example.com");
        EXPECT_EQ(r.at("user").at("force_password_reset"), true);
        // --team id:role sends a whole zero-valued team object with the role.
        auto team = ok(send("GET", api_of(d) + d.teams), "teams for user create");
        const auto team_id = team.at("teams").at(0).at("id").as_int64();
        auto t = ok(send("POST", api_of(d) + "/users/admin",
                         R"({"name":"Team User","email":"team@example.com",
                             "password":"team-pass-1!","sso_enabled":false,
                             "admin_forced_password_reset":true,"api_only":true,
                             "teams":[{"id":)" +
                             std::to_string(team_id) +
                             R"(,"created_at":"0001-01-01T00:00:00Z","name":"",
                             "description":"","agent_options":null,"user_count":0,
                             "host_count":0,"role":"maintainer"}]})"),
                    "user create --team");
        EXPECT_EQ(t.at("user").at("teams").at(0).at("role"), "maintainer");
        EXPECT_EQ(t.at("user").at("global_role"), nullptr);
    }
    static std::string api_of(const dialect& d) { return d.api; }

    /// fleetctl query --hosts/--labels: the run request, then the raw websocket
    /// over wss://, read until the last status says every targeted host answered
    /// (fleetctl counts status.actual_results against totals.count).
    void live_query(const dialect& d, simulated_agent& agent, const std::string& selected) {
        preflight(d);
        auto run = ok(send("POST", api_of(d) + d.run,
                           R"({"query":"SELECT version FROM osquery_info","query_id":null,
                               "selected":)" +
                               selected + "}"),
                      "query");
        const auto campaign = run.at("campaign").at("id").as_int64();
        ws_client ws(srv_->port(), api_of(d) + "/results/websocket", srv_->client_opts());
        ws.send_json({{"type", "auth"}, {"data", {{"token", token_}}}});
        ws.send_json({{"type", "select_campaign"}, {"data", {{"campaign_id", campaign}}}});
        std::optional<std::int64_t> count;
        std::int64_t responded = -1;
        int results = 0;
        bool answered = false;
        const auto until = std::chrono::steady_clock::now() + 20s;
        while (!(count && responded == *count) && std::chrono::steady_clock::now() < until) {
            auto msg = ws.read_json(5s);
            ASSERT_TRUE(msg) << "the stream ended before every host answered";
            const auto type = msg->at("type").as_string();
            const auto& data = msg->at("data");
            if (type == "totals") {
                count = data.at("count").as_int64();
                EXPECT_EQ(data.at("online"), 1);
                EXPECT_TRUE(data.at("missing_in_action").is_int64());
            } else if (type == "status") {
                EXPECT_TRUE(count) << "a status before any totals ends fleetctl at 0/0";
                responded = data.at("actual_results").as_int64();
                EXPECT_TRUE(data.at("expected_results").is_int64());
                if (!answered) {
                    answered = true;
                    agent.check_in();
                }
            } else if (type == "result") {
                ++results;
                EXPECT_EQ(data.at("host").at("hostname"), "wire-host");
                for (const auto& row : data.at("rows").as_array())
                    for (const auto& col : row.as_object())
                        EXPECT_TRUE(col.value().is_string()) << "row values are strings";
            } else {
                ADD_FAILURE() << "fleetctl prints 'unknown msg type' for " << bj::serialize(*msg);
            }
        }
        EXPECT_EQ(count, 1);
        EXPECT_EQ(responded, 1);
        EXPECT_EQ(results, 1);
    }

    void whole_session(const dialect& d) {
        setup_and_login(d);
        apply_everything(d);
        auto agent = enrolled_agent();
        get_everything(d);
        user_create(d);
        // --hosts wire-host (no --labels: fleetctl sends [""]), then --labels "All Hosts".
        live_query(d, *agent, R"({"labels":[""],"hosts":["wire-host"]})");
        live_query(d, *agent, R"({"labels":["All Hosts"],"hosts":[""]})");
        // Everything fleetctl did is in the activity feed.
        auto feed = ok(send("GET", api_of(d) + "/activities"), "activities");
        std::set<std::string> types;
        for (const auto& a : feed.at("activities").as_array())
            types.insert(std::string(a.at("type").as_string()));
        for (const char* t : {"user_logged_in", "applied_spec_saved_query", "applied_spec_pack",
                              "applied_spec_team", "live_query", "created_user"})
            EXPECT_TRUE(types.count(t)) << t;
    }

    static inline std::string dir_;
    std::string token_;
    std::vector<std::string> log_;
};

} // namespace

TEST_P(fleetctl_wire_test, fleetctl_2022_setup_apply_get_user_create_and_query) {
    whole_session(fleetctl_2022);
}

TEST_P(fleetctl_wire_test, current_fleetctl_setup_apply_get_user_create_and_query) {
    whole_session(fleetctl_current);
}

TEST_P(fleetctl_wire_test, the_fleet_ui_boots_and_streams_a_live_query_over_sockjs) {
    setup_and_login(fleetctl_2022);
    apply_everything(fleetctl_2022);
    auto agent = enrolled_agent();
    const std::string api = "/api/v1/fleet";
    auto me = ok(send("GET", api + "/me"), "me");
    EXPECT_EQ(me.at("user").at("global_role"), "admin");
    EXPECT_TRUE(me.at("available_teams").is_array());
    auto cfg = ok(send("GET", api + "/config"), "config");
    EXPECT_EQ(cfg.at("server_settings").at("live_query_disabled"), false);
    EXPECT_EQ(cfg.at("license").at("tier"), "free");
    auto secrets = ok(send("GET", api + "/spec/enroll_secret"), "enroll_secret");
    EXPECT_FALSE(secrets.at("spec").at("secrets").as_array().empty());
    auto summary = ok(send("GET", api + "/host_summary"), "host_summary");
    EXPECT_EQ(summary.at("totals_hosts_count"), 1);
    EXPECT_EQ(summary.at("online_count"), 1);
    auto labels = ok(send("GET", api + "/labels"), "labels");
    std::int64_t all_hosts = 0;
    for (const auto& l : labels.at("labels").as_array())
        if (l.at("name") == "All Hosts") {
            all_hosts = l.at("id").as_int64();
            EXPECT_EQ(l.at("count"), 1);
            EXPECT_EQ(l.at("label_type"), "builtin");
        }
    ASSERT_NE(all_hosts, 0);
    // The target picker: search, then the selected label's counts.
    auto targets = ok(send("POST", api + "/targets",
                           R"({"query":"wire","selected":{"hosts":[],"labels":[],"teams":[]}})"),
                      "targets");
    ASSERT_FALSE(targets.at("targets").at("hosts").as_array().empty());
    const auto host_id = targets.at("targets").at("hosts").at(0).at("id").as_int64();
    EXPECT_EQ(targets.at("targets").at("hosts").at(0).at("display_text"), "wire-host");
    auto selected = ok(send("POST", api + "/targets",
                            R"({"query":"","selected":{"hosts":[],"labels":[)" +
                                std::to_string(all_hosts) + R"(],"teams":[]}})"),
                       "targets selected");
    EXPECT_EQ(selected.at("targets_count"), 1);
    EXPECT_EQ(selected.at("targets_online"), 1);
    auto run = ok(send("POST", api + "/queries/run",
                       R"({"query":"SELECT version FROM osquery_info","selected":{"hosts":[)" +
                           std::to_string(host_id) + R"(],"labels":[],"teams":[]}})"),
                  "queries/run");
    const auto campaign = run.at("campaign").at("id").as_int64();
    // sockjs-client: /info, then its websocket transport with SockJS framing.
    auto info = http_once(srv_->port(), "GET", api + "/results/info", "", {}, srv_->client_opts());
    EXPECT_EQ(info.status, 200);
    EXPECT_EQ(info.json().at("websocket"), true);
    ws_client ws(srv_->port(), api + "/results/421/uiboot01/websocket", srv_->client_opts());
    EXPECT_EQ(ws.read(), "o");
    auto frame = [](const bj::value& v) {
        return bj::serialize(bj::array{bj::string(bj::serialize(v))});
    };
    ws.send(frame({{"type", "auth"}, {"data", {{"token", token_}}}}));
    ws.send(frame({{"type", "select_campaign"}, {"data", {{"campaign_id", campaign}}}}));
    std::deque<bj::value> got;
    bool finished = false, result = false, totals = false, answered = false;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (!finished && std::chrono::steady_clock::now() < until) {
        if (got.empty()) {
            auto t = ws.read(5s);
            ASSERT_TRUE(t) << "the SockJS stream ended";
            if (*t == "h")
                continue;
            ASSERT_TRUE(t->starts_with("a[")) << *t;
            const auto batch = bj::parse(t->substr(1));
            for (const auto& m : batch.as_array())
                got.push_back(bj::parse(m.as_string()));
        }
        auto msg = std::move(got.front());
        got.pop_front();
        const auto type = msg.at("type").as_string();
        if (type == "totals") {
            totals = true;
            EXPECT_EQ(msg.at("data").at("count"), 1);
        } else if (type == "status") {
            EXPECT_TRUE(totals);
            finished = msg.at("data").at("status") == "finished";
            if (!answered) {
                answered = true;
                agent->check_in();
            }
        } else if (type == "result") {
            result = true;
            EXPECT_EQ(msg.at("data").at("host").at("hostname"), "wire-host");
        }
    }
    EXPECT_TRUE(result);
    EXPECT_TRUE(finished);
}

INSTANTIATE_TEST_SUITE_P(backends, fleetctl_wire_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
