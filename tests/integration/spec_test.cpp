/// The spec API over HTTP on both stores: the seed's example bodies and
/// response shapes, error cases, and one transaction per apply.

#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class spec_test : public served_test {
protected:
    void SetUp() override {
        serve();
        token_ = srv_->setup();
        ASSERT_FALSE(token_.empty());
        inspect_ = db_->open();
    }
    http_reply get(const std::string& path, const std::string& token = "") {
        return http_once(srv_->port(), "GET", path, "",
                         {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    }
    http_reply post(const std::string& path, const std::string& body,
                    const std::string& token = "") {
        return http_once(srv_->port(), "POST", path, body,
                         {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    }
    void expect_ok(const http_reply& r) {
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status == 200) {
            EXPECT_EQ(r.json(), bj::object{});
        }
    }
    static void expect_error(const http_reply& r, int status, const std::string& message,
                             const std::string& reason_part = "") {
        ASSERT_EQ(r.status, status) << r.body;
        auto j = r.json();
        EXPECT_EQ(j.at("message"), message.c_str()) << r.body;
        if (!reason_part.empty()) {
            bool found = false;
            for (const auto& e : j.at("errors").as_array())
                found = found || std::string(e.at("reason").as_string()).find(reason_part) !=
                                     std::string::npos;
            EXPECT_TRUE(found) << "no reason containing '" << reason_part << "' in " << r.body;
        }
    }
    /// A JSON value without its "id" keys (ids differ between stores and runs).
    static bj::value without_ids(bj::value v) {
        if (v.is_object()) {
            v.as_object().erase("id");
            for (auto& kv : v.as_object())
                kv.value() = without_ids(kv.value());
        } else if (v.is_array()) {
            for (auto& e : v.as_array())
                e = without_ids(e);
        }
        return v;
    }

    std::unique_ptr<storage::store> inspect_;
    std::string token_;
};

const char* seed_queries = R"({"specs":[
  {"name":"new_query","description":"This will be a new query because a query with the name 'new_query' doesn't exist in Fleet.","query":"SELECT * FROM osquery_info"},
  {"name":"osquery_schedule","description":"This queries description and SQL will be modified because a query with the name 'osquery_schedule' exists in Fleet.","query":"SELECT * FROM osquery_info"}]})";

const char* seed_packs = R"({"specs":[
  {"id":1,"name":"pack_1","description":"Description","disabled":false,"targets":{"labels":["All Hosts"],"teams":null},
   "queries":[
    {"query":"new_query","name":"new_query","description":"","interval":456,"snapshot":false,"removed":true},
    {"query":"new_title_for_my_query","name":"new_title_for_my_query","description":"","interval":677,"snapshot":true,"removed":false},
    {"query":"osquery_info","name":"osquery_info","description":"","interval":6667,"snapshot":true,"removed":false},
    {"query":"query1","name":"query1","description":"","interval":7767,"snapshot":false,"removed":true},
    {"query":"osquery_events","name":"osquery_events","description":"","interval":454,"snapshot":false,"removed":true},
    {"query":"osquery_events","name":"osquery_events-1","description":"","interval":120,"snapshot":false,"removed":true}]},
  {"id":2,"name":"pack_2","disabled":false,"targets":{"labels":null,"teams":null},
   "queries":[{"query":"new_query","name":"new_query","description":"","interval":333,"snapshot":false,"removed":true,"platform":"windows"}]}]})";

const char* seed_labels = R"({"specs":[
  {"name":"Ubuntu","description":"Filters ubuntu hosts","query":"select 1 from os_version where platform = 'ubuntu';","label_membership_type":"dynamic"},
  {"name":"local_machine","description":"Includes only my local machine","label_membership_type":"manual","hosts":["snacbook-pro.local"]}]})";

const char* seed_team = R"({"specs":[{"name":"Client Platform Engineering",
  "agent_options":{"spec":{"config":{"options":{"logger_plugin":"tls","pack_delimiter":"/","logger_tls_period":10,"distributed_plugin":"tls","disable_distributed":false,"logger_tls_endpoint":"/api/v1/osquery/log","distributed_interval":10,"distributed_tls_max_attempts":3},"decorators":{"load":["SELECT uuid AS host_uuid FROM system_info;","SELECT hostname AS hostname FROM system_info;"]}},"overrides":{}}},
  "secrets":[{"secret":"fTp52/twaxBU6gIi0J6PHp8o5Sm1k1kn"},{"secret":"bhD5kiX2J+KBgZSk118qO61ZIdX/v8On"}]}]})";

const char* seed_policies = R"({"specs":[
  {"name":"new policy","description":"This will be a new policy because a policy with the name 'new policy' doesn't exist in Fleet.","query":"SELECT * FROM osquery_info","resolution":"some resolution steps here"},
  {"name":"Is Filevault enabled on macOS devices?","query":"SELECT 1 FROM disk_encryption WHERE user_uuid IS NOT \"\" AND filevault_status = 'on' LIMIT 1;","description":"Checks to make sure that the Filevault feature is enabled on macOS devices.","resolution":"Choose Apple menu > System Preferences, then click Security & Privacy.","platform":"darwin"}]})";

} // namespace

// --- queries ---------------------------------------------------------------------

TEST_P(spec_test, queries_round_trip_the_seed_example) {
    auto empty = get("/api/v1/fleet/spec/queries");
    ASSERT_EQ(empty.status, 200);
    EXPECT_EQ(empty.json(), bj::parse(R"({"specs":[]})"));
    expect_ok(post("/api/v1/fleet/spec/queries", seed_queries));
    auto list = get("/api/v1/fleet/spec/queries");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.json().at("specs"), bj::parse(seed_queries).at("specs"));
    auto one = get("/api/v1/fleet/spec/queries/new_query");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(one.json().at("specs"), bj::parse(seed_queries).at("specs").at(0));
    auto stored = inspect_->query_by_name("osquery_schedule");
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->saved);
    EXPECT_FALSE(stored->observer_can_run);
}

TEST_P(spec_test, query_description_defaults_and_observer_can_run_is_kept) {
    expect_ok(post("/api/v1/fleet/spec/queries",
                   R"({"specs":[{"name":"a b","query":"SELECT 1","observer_can_run":true}]})"));
    auto one = get("/api/v1/fleet/spec/queries/a%20b");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(one.json(),
              bj::parse(R"({"specs":{"name":"a b","query":"SELECT 1","observer_can_run":true}})"));
    EXPECT_TRUE(inspect_->query_by_name("a b")->observer_can_run);
    EXPECT_EQ(inspect_->query_by_name("a b")->description, "");
}

TEST_P(spec_test, unknown_query_is_404) {
    expect_error(get("/api/v1/fleet/spec/queries/nope"), 404, "Resource Not Found",
                 "Query nope was not found in the datastore");
}

TEST_P(spec_test, invalid_queries_are_422_and_nothing_is_written) {
    expect_error(
        post("/api/v1/fleet/spec/queries",
             R"({"specs":[{"name":"good","query":"SELECT 1"},{"name":"","query":"SELECT 1"}]})"),
        422, "Validation Failed", "query name cannot be empty");
    expect_error(
        post("/api/v1/fleet/spec/queries",
             R"({"specs":[{"name":"good","query":"SELECT 1"},{"name":"nosql","query":""}]})"),
        422, "Validation Failed", "SQL cannot be empty");
    expect_error(post("/api/v1/fleet/spec/queries",
                      R"({"specs":[{"name":"att","query":"ATTACH '/tmp/x' AS y; SELECT 1"}]})"),
                 422, "Validation Failed", "ATTACH not allowed");
    EXPECT_EQ(inspect_->query_by_name("good").err().code, errc::not_found);
    EXPECT_TRUE(inspect_->saved_queries()->empty());
}

TEST_P(spec_test, malformed_spec_bodies_are_400) {
    for (const char* body : {"{", "[]", R"({"specs":{}})", R"({"specs":[1]})",
                             R"({"specs":[{"name":5,"query":"x"}]})", R"({"nothing":1})"})
        expect_error(post("/api/v1/fleet/spec/queries", body), 400, "Bad request");
    // The body is decoded before authentication, as Fleet.
    auto r = http_once(srv_->port(), "POST", "/api/v1/fleet/spec/queries", "{");
    EXPECT_EQ(r.status, 400);
    auto no_token = http_once(srv_->port(), "POST", "/api/v1/fleet/spec/queries", seed_queries);
    expect_error(no_token, 401, "Authorization header required");
    expect_error(http_once(srv_->port(), "GET", "/api/v1/fleet/spec/queries"), 401,
                 "Authorization header required");
}

TEST_P(spec_test, duplicate_names_in_one_request_last_wins) {
    expect_ok(
        post("/api/v1/fleet/spec/queries",
             R"({"specs":[{"name":"d","query":"SELECT 1"},{"name":"d","query":"SELECT 2"}]})"));
    EXPECT_EQ(inspect_->query_by_name("d")->sql, "SELECT 2");
    EXPECT_EQ(inspect_->saved_queries()->size(), 1u);
}

// --- packs -----------------------------------------------------------------------

TEST_P(spec_test, packs_round_trip_the_seed_example) {
    auto empty = get("/api/v1/fleet/spec/packs");
    ASSERT_EQ(empty.status, 200);
    EXPECT_EQ(empty.json(), bj::parse(R"({"specs":null})"));
    expect_ok(post("/api/v1/fleet/spec/queries", R"({"specs":[
        {"name":"new_query","query":"SELECT 1"},{"name":"new_title_for_my_query","query":"SELECT 2"},
        {"name":"osquery_info","query":"SELECT 3"},{"name":"query1","query":"SELECT 4"},
        {"name":"osquery_events","query":"SELECT 5"}]})"));
    expect_ok(post("/api/v1/fleet/spec/packs", seed_packs));
    auto list = get("/api/v1/fleet/spec/packs");
    ASSERT_EQ(list.status, 200);
    // The applied specs come back as sent, with real ids and teams null.
    EXPECT_EQ(without_ids(list.json()), without_ids(bj::parse(seed_packs)));
    const auto list_json = list.json();
    const auto& specs = list_json.at("specs").as_array();
    const auto id1 = specs.at(0).at("id").as_int64();
    EXPECT_GT(id1, 0);

    auto one = get("/api/v1/fleet/spec/packs/pack_2");
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(without_ids(one.json().at("specs")),
              without_ids(bj::parse(seed_packs).at("specs").at(1)));
    EXPECT_FALSE(one.json().at("specs").as_object().contains("description"));

    // Re-applying keeps the ids and replaces the scheduled queries.
    expect_ok(post("/api/v1/fleet/spec/packs",
                   R"({"specs":[{"name":"pack_1","queries":[{"query":"query1","interval":5}]}]})"));
    auto again = get("/api/v1/fleet/spec/packs/pack_1");
    EXPECT_EQ(again.json().at("specs").at("id").as_int64(), id1);
    EXPECT_EQ(again.json().at("specs").at("queries"),
              bj::parse(R"([{"query":"query1","name":"query1","description":"","interval":5}])"));
    EXPECT_EQ(again.json().at("specs").at("targets"), bj::parse(R"({"labels":null,"teams":null})"));
    // The /api/latest alias answers too.
    EXPECT_EQ(get("/api/latest/fleet/spec/packs/pack_1").status, 200);
}

TEST_P(spec_test, packs_with_unknown_references_are_422_naming_them) {
    expect_ok(post("/api/v1/fleet/spec/queries", R"({"specs":[{"name":"q","query":"SELECT 1"}]})"));
    auto r = post("/api/v1/fleet/spec/packs", R"({"specs":[
        {"name":"ok","queries":[{"query":"q","interval":1}]},
        {"name":"bad","queries":[{"query":"ghost","interval":1}],"targets":{"labels":["Phantom"],"teams":["Nobody"]}}]})");
    expect_error(r, 422, "Validation Failed", "cannot schedule unknown query 'ghost'");
    expect_error(r, 422, "Validation Failed", "unknown label 'Phantom'");
    expect_error(r, 422, "Validation Failed", "unknown team 'Nobody'");
    EXPECT_TRUE(inspect_->pack_specs()->empty());
    expect_error(post("/api/v1/fleet/spec/packs", R"({"specs":[{"name":""}]})"), 422,
                 "Validation Failed", "pack name cannot be empty");
    expect_error(
        post("/api/v1/fleet/spec/packs", R"({"specs":[{"name":"x","targets":{"labels":[1]}}]})"),
        400, "Bad request");
    expect_error(get("/api/v1/fleet/spec/packs/nope"), 404, "Resource Not Found",
                 "Pack nope was not found in the datastore");
}

TEST_P(spec_test, pack_targets_accept_team_names) {
    expect_ok(post("/api/v1/fleet/spec/teams", R"({"specs":[{"name":"blue"}]})"));
    expect_ok(post("/api/v1/fleet/spec/packs",
                   R"({"specs":[{"name":"tp","targets":{"labels":["macOS"],"teams":["blue"]}}]})"));
    auto one = get("/api/v1/fleet/spec/packs/tp");
    EXPECT_EQ(one.json().at("specs").at("targets"),
              bj::parse(R"({"labels":["macOS"],"teams":["blue"]})"));
    EXPECT_FALSE(one.json().at("specs").as_object().contains("queries"));
}

// --- labels ----------------------------------------------------------------------

TEST_P(spec_test, labels_round_trip_the_seed_example) {
    ASSERT_TRUE(
        inspect_->new_host_for_test("id-1", "snacbook-pro.local", std::nullopt, srv_->now()));
    expect_ok(post("/api/v1/fleet/spec/labels", seed_labels));
    auto list = get("/api/v1/fleet/spec/labels");
    ASSERT_EQ(list.status, 200);
    const auto list_json = list.json();
    const auto& specs = list_json.at("specs").as_array();
    ASSERT_EQ(specs.size(), 9u);
    EXPECT_EQ(
        specs.at(0),
        bj::parse(
            R"({"id":6,"name":"All Hosts","description":"All hosts which have enrolled in Fleet",
        "query":"select 1;","label_type":"builtin","label_membership_type":"dynamic"})"));
    EXPECT_EQ(without_ids(specs.at(7)), without_ids(bj::parse(seed_labels).at("specs").at(0)));

    auto one = get("/api/v1/fleet/spec/labels/local_machine");
    ASSERT_EQ(one.status, 200);
    const auto id = one.json().at("specs").at("id").as_int64();
    EXPECT_EQ(id, inspect_->label_spec_by_name("local_machine")->id); // the real id, not 0
    EXPECT_GT(id, 12);
    EXPECT_EQ(
        without_ids(one.json()),
        bj::parse(
            R"({"specs":{"name":"local_machine","description":"Includes only my local machine",
                  "query":"","label_membership_type":"manual","hosts":["snacbook-pro.local"]}})"));
    expect_error(get("/api/v1/fleet/spec/labels/nope"), 404, "Resource Not Found",
                 "Label nope was not found in the datastore");
}

TEST_P(spec_test, label_rules_are_enforced) {
    expect_error(post("/api/v1/fleet/spec/labels",
                      R"({"specs":[{"name":"d","query":"select 1","hosts":["a"]}]})"),
                 422, "Validation Failed", "declared as dynamic but contains `hosts` key");
    expect_error(post("/api/v1/fleet/spec/labels",
                      R"({"specs":[{"name":"m","label_membership_type":"manual"}]})"),
                 422, "Validation Failed", "declared as manual but contains no `hosts key`");
    expect_ok(post("/api/v1/fleet/spec/labels",
                   R"({"specs":[{"name":"m","label_membership_type":"manual","hosts":[]}]})"));
    expect_error(
        post("/api/v1/fleet/spec/labels",
             R"({"specs":[{"name":"x","query":"select 1","label_membership_type":"sometimes"}]})"),
        400, "Bad request");
    expect_error(post("/api/v1/fleet/spec/labels", R"({"specs":[{"name":"","query":"select 1"}]})"),
                 422, "Validation Failed", "label name cannot be empty");
}

TEST_P(spec_test, builtin_labels_are_protected_over_http) {
    expect_error(
        post(
            "/api/v1/fleet/spec/labels",
            R"({"specs":[{"name":"macOS","query":"select 2","label_membership_type":"dynamic"}]})"),
        422, "Validation Failed", "cannot modify or add built-in label 'macOS'");
    expect_error(post("/api/v1/fleet/spec/labels",
                      R"({"specs":[{"name":"Mine","query":"select 2","label_type":"builtin"}]})"),
                 422, "Validation Failed", "cannot modify or add built-in label 'Mine'");
    // Re-applying a builtin exactly as GET shows it is accepted.
    auto all_hosts = get("/api/v1/fleet/spec/labels/All%20Hosts").json().at("specs");
    expect_ok(post("/api/v1/fleet/spec/labels",
                   bj::serialize(bj::object{{"specs", bj::array{all_hosts}}})));
    EXPECT_EQ(inspect_->label_specs()->size(), 7u); // nothing added
    EXPECT_TRUE(same_definition(*inspect_->label_spec_by_name("macOS"), builtin_labels()[1]));
}

// --- teams and enroll secrets -------------------------------------------------------

TEST_P(spec_test, teams_apply_the_seed_example_and_replace_secrets) {
    expect_ok(post("/api/v1/fleet/spec/teams", seed_team));
    auto t = inspect_->team_by_name("Client Platform Engineering");
    ASSERT_TRUE(t);
    EXPECT_EQ(*t->agent_options, bj::parse(seed_team).at("specs").at(0).at("agent_options"));
    EXPECT_EQ(inspect_->team_enroll_secrets(t->id)->size(), 2u);
    expect_ok(post(
        "/api/v1/fleet/spec/teams",
        R"({"specs":[{"name":"Client Platform Engineering","secrets":[{"secret":"only"}]}]})"));
    auto secrets = inspect_->team_enroll_secrets(t->id);
    ASSERT_EQ(secrets->size(), 1u);
    EXPECT_EQ(secrets->at(0).secret, "only");
    EXPECT_EQ(inspect_->team_by_name("Client Platform Engineering")->agent_options, std::nullopt);
    // A secret in use elsewhere is 409, and nothing changes.
    const auto global = inspect_->global_enroll_secrets()->at(0).secret;
    expect_error(
        post("/api/v1/fleet/spec/teams",
             bj::serialize(bj::object{
                 {"specs",
                  bj::array{bj::object{{"name", "other"},
                                       {"secrets", bj::array{bj::object{{"secret", global}}}}}}}})),
        409, "Resource Already Exists");
    EXPECT_EQ(inspect_->team_by_name("other").err().code, errc::not_found);
    expect_error(
        post("/api/v1/fleet/spec/teams", R"({"specs":[{"name":"e","secrets":[{"secret":""}]}]})"),
        422, "Validation Failed", "enroll secret cannot be empty");
    expect_error(post("/api/v1/fleet/spec/teams", R"({"specs":[{"name":"e","secrets":["x"]}]})"),
                 400, "Bad request");
}

TEST_P(spec_test, a_new_team_without_agent_options_gets_the_global_ones) {
    expect_ok(post("/api/v1/fleet/spec/teams", R"({"specs":[{"name":"blue"}]})"));
    EXPECT_EQ(*inspect_->team_by_name("blue")->agent_options, default_agent_options());
}

TEST_P(spec_test, enroll_secrets_round_trip_and_keep_created_at) {
    auto initial = get("/api/v1/fleet/spec/enroll_secret");
    ASSERT_EQ(initial.status, 200);
    ASSERT_EQ(initial.json().at("spec").at("secrets").as_array().size(), 1u); // made by setup
    const bj::value setup_secret = initial.json().at("spec").at("secrets").at(0);
    expect_ok(post(
        "/api/v1/fleet/spec/enroll_secret",
        bj::serialize(bj::object{
            {"spec", bj::object{{"secrets",
                                 bj::array{bj::object{{"secret", setup_secret.at("secret")}},
                                           bj::object{{"secret",
                                                       "fTp52/twaxBU6gIi0J6PHp8o5Sm1k1kn"}}}}}}})));
    auto after = get("/api/v1/fleet/spec/enroll_secret").json().at("spec").at("secrets").as_array();
    ASSERT_EQ(after.size(), 2u);
    bool kept = false;
    for (const auto& s : after) {
        EXPECT_EQ(s.as_object().size(), 2u); // secret and created_at; no team_id
        if (s.at("secret") == setup_secret.at("secret"))
            kept = s.at("created_at") == setup_secret.at("created_at");
    }
    EXPECT_TRUE(kept);
    expect_ok(post("/api/v1/fleet/spec/enroll_secret", R"({"spec":{}})"));
    EXPECT_EQ(get("/api/v1/fleet/spec/enroll_secret").json(),
              bj::parse(R"({"spec":{"secrets":null}})"));
    expect_error(
        post("/api/v1/fleet/spec/enroll_secret", R"({"spec":{"secrets":[{"secret":""}]}})"), 422,
        "Validation Failed", "enroll secret cannot be empty");
    expect_error(post("/api/v1/fleet/spec/enroll_secret", R"({"secrets":[]})"), 400, "Bad request",
                 "missing required key 'spec'");
}

// --- policies --------------------------------------------------------------------

TEST_P(spec_test, policies_apply_the_seed_example_and_list_globally) {
    expect_ok(post("/api/v1/fleet/spec/policies", seed_policies));
    auto list = get("/api/v1/fleet/global/policies");
    ASSERT_EQ(list.status, 200);
    const auto list_json = list.json();
    const auto& ps = list_json.at("policies").as_array();
    ASSERT_EQ(ps.size(), 2u);
    EXPECT_EQ(ps.at(0).at("name"), "new policy");
    EXPECT_EQ(ps.at(0).at("resolution"), "some resolution steps here");
    EXPECT_EQ(ps.at(0).at("platform"), "");
    EXPECT_TRUE(ps.at(0).at("team_id").is_null());
    EXPECT_EQ(ps.at(0).at("author_email"), admin_email);
    EXPECT_EQ(ps.at(1).at("platform"), "darwin");
    for (const char* key : {"id", "query", "description", "author_id", "author_name", "created_at",
                            "updated_at", "passing_host_count", "failing_host_count"})
        EXPECT_TRUE(ps.at(1).as_object().contains(key)) << key;
}

TEST_P(spec_test, policy_team_and_platform_are_kept_on_update) {
    expect_ok(post("/api/v1/fleet/spec/teams", R"({"specs":[{"name":"blue"}]})"));
    expect_ok(
        post("/api/v1/fleet/spec/policies",
             R"({"specs":[{"name":"p","query":"SELECT 1","team":"blue","platform":"linux"}]})"));
    expect_ok(post("/api/v1/fleet/spec/policies",
                   R"({"specs":[{"name":"p","query":"SELECT 2","platform":"windows"}]})"));
    auto p = inspect_->policy_by_name("p");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->query, "SELECT 2");
    EXPECT_EQ(p->platform, "linux");
    EXPECT_EQ(p->team_id, inspect_->team_by_name("blue")->id);
    EXPECT_TRUE(get("/api/v1/fleet/global/policies").json().at("policies").as_array().empty());
}

TEST_P(spec_test, invalid_policies_are_422_and_nothing_is_written) {
    expect_error(
        post(
            "/api/v1/fleet/spec/policies",
            R"({"specs":[{"name":"ok","query":"SELECT 1"},{"name":"p","query":"SELECT 1","platform":"darwin,bsd"}]})"),
        422, "Validation Failed", "invalid platform 'bsd'");
    expect_error(
        post(
            "/api/v1/fleet/spec/policies",
            R"({"specs":[{"name":"ok","query":"SELECT 1"},{"name":"p","query":"SELECT 1","team":"ghosts"}]})"),
        422, "Validation Failed", "unknown team 'ghosts'");
    expect_error(post("/api/v1/fleet/spec/policies", R"({"specs":[{"name":"p","query":""}]})"), 422,
                 "Validation Failed", "query cannot be empty");
    expect_error(
        post("/api/v1/fleet/spec/policies", R"({"specs":[{"name":"","query":"SELECT 1"}]})"), 422,
        "Validation Failed", "policy name cannot be empty");
    EXPECT_EQ(inspect_->policy_by_name("ok").err().code, errc::not_found);
    expect_error(http_once(srv_->port(), "GET", "/api/v1/fleet/spec/policies"), 405,
                 "Method Not Allowed");
}

INSTANTIATE_TEST_SUITE_P(backends, spec_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
