/// The labels REST routes end to end on both stores (fleet-rest.md §5.1): list
/// with host counts, one label, create, rename, delete by name and by id,
/// builtins protected, and a new label asked at the agent's next check-in.

#include "model/query_name.hpp"
#include "tests/support/agent.hpp"
#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class labels_test : public served_test {
protected:
    void SetUp() override {
        serve();
        token_ = srv_->setup();
        inspect_ = db_->open();
        agent_ =
            std::make_unique<simulated_agent>(srv_->port(), srv_->client_opts(), agent_identity{});
        ASSERT_EQ(agent_->enroll(inspect_->global_enroll_secrets()->at(0).secret), 200);
        agent_->check_in();
    }
    http_reply call(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& token = "") {
        return http_once(srv_->port(), method, path, body,
                         {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    }
    /// The label named `name` in GET /labels, or null.
    bj::value listed(const std::string& name) {
        auto r = call("GET", "/api/v1/fleet/labels");
        EXPECT_EQ(r.status, 200) << r.body;
        const auto body = r.json();
        for (const auto& l : body.at("labels").as_array())
            if (l.at("name") == name.c_str())
                return l;
        return nullptr;
    }
    void expect_invalid(const http_reply& r, const std::string& field) {
        EXPECT_EQ(r.status, 422) << r.body;
        EXPECT_EQ(r.json().at("errors").at(0).at("name"), field.c_str()) << r.body;
    }

    std::string token_;
    std::unique_ptr<storage::store> inspect_;
    std::unique_ptr<simulated_agent> agent_;
};

} // namespace

TEST_P(labels_test, the_list_has_builtins_with_host_counts) {
    const auto all = listed("All Hosts");
    ASSERT_TRUE(all.is_object());
    EXPECT_EQ(all.at("label_type"), "builtin");
    EXPECT_EQ(all.at("label_membership_type"), "dynamic");
    EXPECT_EQ(all.at("count"), 1);
    EXPECT_EQ(all.at("display_text"), "All Hosts");
    EXPECT_EQ(all.at("host_ids"), nullptr);
    EXPECT_TRUE(all.at("created_at").is_string());
    EXPECT_EQ(listed("macOS").at("count"), 0);
    auto r =
        call("GET", "/api/latest/fleet/labels?query=linux&order_key=name&order_direction=desc");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    std::vector<std::string> names;
    for (const auto& l : body.at("labels").as_array())
        names.emplace_back(l.at("name").as_string());
    EXPECT_EQ(names, (std::vector<std::string>{"Ubuntu Linux", "Red Hat Linux", "CentOS Linux",
                                               "All Linux"}));
    EXPECT_EQ(
        call("GET", "/api/v1/fleet/labels?page=1&per_page=5").json().at("labels").as_array().size(),
        2u);
    EXPECT_EQ(call("GET", "/api/v1/fleet/labels?order_key=nope").status, 400);
    auto one = call("GET", "/api/v1/fleet/labels/" + std::to_string(all.at("id").as_int64()));
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(one.json().at("label").at("name"), "All Hosts");
    EXPECT_EQ(one.json().at("label").at("count"), 1);
    EXPECT_EQ(call("GET", "/api/v1/fleet/labels/999999").status, 404);
    EXPECT_EQ(call("GET", "/api/v1/fleet/labels/x").status, 400);
}

TEST_P(labels_test, a_created_label_is_asked_at_the_next_check_in) {
    auto r = call("POST", "/api/v1/fleet/labels",
                  R"({"name":"has osquery","query":"SELECT 1 FROM osquery_info",
                      "description":"d","platform":""})");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto label = r.json().at("label").as_object();
    EXPECT_EQ(label.at("name"), "has osquery");
    EXPECT_EQ(label.at("label_type"), "regular");
    EXPECT_EQ(label.at("count"), 0);
    const auto id = label.at("id").as_int64();
    EXPECT_EQ(inspect_->label_by_id(id)->query, "SELECT 1 FROM osquery_info");
    // Read-your-writes: the agent's very next read asks it.
    auto read = agent_->read();
    ASSERT_EQ(read.status, 200);
    EXPECT_TRUE(read.json().at("queries").as_object().contains(label_query_name(id))) << read.body;
    agent_->check_in();
    EXPECT_EQ(listed("has osquery").at("count"), 1);
    // Activities record it (applied as a label spec of one).
    auto feed = call("GET", "/api/v1/fleet/activities?order_key=id&order_direction=desc");
    const auto last = feed.json().at("activities").at(0);
    EXPECT_EQ(last.at("type"), "created_label");
    EXPECT_EQ(last.at("details").at("label_name"), "has osquery");
    EXPECT_EQ(last.at("details").at("label_id"), id);
}

TEST_P(labels_test, creating_refuses_bad_input_taken_names_builtins_and_observers) {
    expect_invalid(call("POST", "/api/v1/fleet/labels", R"({"query":"SELECT 1"})"), "name");
    EXPECT_EQ(call("POST", "/api/v1/fleet/labels", R"({"name":"x","query":1})").status, 400);
    EXPECT_EQ(call("POST", "/api/v1/fleet/labels", "{").status, 400);
    ASSERT_EQ(call("POST", "/api/v1/fleet/labels", R"({"name":"dup","query":"SELECT 1"})").status,
              200);
    auto dup = call("POST", "/api/v1/fleet/labels", R"({"name":"dup","query":"SELECT 2"})");
    EXPECT_EQ(dup.status, 409) << dup.body;
    EXPECT_EQ(inspect_->label_spec_by_name("dup")->query, "SELECT 1");
    auto builtin = call("POST", "/api/v1/fleet/labels", R"({"name":"macOS","query":"SELECT 1"})");
    expect_invalid(builtin, "name");
    EXPECT_EQ(builtin.json().at("errors").at(0).at("reason"),
              "cannot modify or add built-in label 'macOS'");
    const auto observer = make_user_with_token(*inspect_, "o@example.com", role::observer);
    EXPECT_EQ(
        call("POST", "/api/v1/fleet/labels", R"({"name":"o","query":"SELECT 1"})", observer).status,
        403);
    EXPECT_FALSE(inspect_->label_spec_by_name("o"));
}

TEST_P(labels_test, renaming_and_deleting) {
    ASSERT_EQ(call("POST", "/api/v1/fleet/labels", R"({"name":"a","query":"SELECT 1"})").status,
              200);
    ASSERT_EQ(call("POST", "/api/v1/fleet/labels", R"({"name":"b","query":"SELECT 1"})").status,
              200);
    const auto a = inspect_->label_spec_by_name("a")->id;
    const auto path = "/api/v1/fleet/labels/" + std::to_string(a);
    auto r = call("PATCH", path, R"({"name":"a2","description":"renamed","query":"ignored"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("label").at("name"), "a2");
    EXPECT_EQ(inspect_->label_by_id(a)->description, "renamed");
    EXPECT_EQ(inspect_->label_by_id(a)->query, "SELECT 1") << "the query cannot change";
    EXPECT_EQ(call("PATCH", path, R"({"name":"b"})").status, 409);
    expect_invalid(call("PATCH", path, R"({"name":""})"), "name");
    expect_invalid(call("PATCH", path, R"({"name":"macOS"})"), "name");
    const auto macos = inspect_->label_spec_by_name("macOS")->id;
    expect_invalid(
        call("PATCH", "/api/v1/fleet/labels/" + std::to_string(macos), R"({"description":"x"})"),
        "name");
    EXPECT_EQ(call("PATCH", "/api/v1/fleet/labels/999999", R"({"name":"x"})").status, 404);
    // DELETE /labels/{name} takes a name even when it looks like a number.
    EXPECT_EQ(call("DELETE", "/api/v1/fleet/labels/" + std::to_string(a)).status, 404);
    ASSERT_EQ(call("DELETE", "/api/v1/fleet/labels/a2").status, 200);
    EXPECT_FALSE(inspect_->label_spec_by_name("a2"));
    const auto b = inspect_->label_spec_by_name("b")->id;
    auto by_id = call("DELETE", "/api/latest/fleet/labels/id/" + std::to_string(b));
    ASSERT_EQ(by_id.status, 200) << by_id.body;
    EXPECT_EQ(by_id.json(), bj::object{});
    EXPECT_FALSE(inspect_->label_spec_by_name("b"));
    EXPECT_EQ(call("DELETE", "/api/v1/fleet/labels/id/" + std::to_string(b)).status, 404);
    expect_invalid(call("DELETE", "/api/v1/fleet/labels/All%20Hosts"), "name");
    expect_invalid(call("DELETE", "/api/v1/fleet/labels/id/6"), "name");
    EXPECT_TRUE(inspect_->label_spec_by_name("All Hosts"));
}

INSTANTIATE_TEST_SUITE_P(backends, labels_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
