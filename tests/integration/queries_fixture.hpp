#pragma once
/// What the saved query tests share: a served instance on the parameter's
/// backend, set up with an admin, two teams, a direct store connection to
/// check what was written, and calls with a token.

#include "tests/support/builders.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace flotilla::testing {

class queries_fixture : public served_test {
protected:
    void SetUp() override {
        serve();
        admin_ = srv_->setup();
        inspect_ = db_->open();
        blue_ = make_team(*inspect_, "blue");
        red_ = make_team(*inspect_, "red");
    }
    http_reply call(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token) {
        return http_once(srv_->port(), method, path, body, {{"Authorization", "Bearer " + token}});
    }
    http_reply as_admin(const std::string& method, const std::string& path,
                        const std::string& body = "") {
        return call(method, path, body, admin_);
    }
    /// POST /queries as `token` (the admin when empty); returns the new id, or 0.
    std::int64_t create(const std::string& name, bool observer_can_run = false,
                        const std::string& token = "") {
        boost::json::object body{{"name", name},
                                 {"query", "SELECT '" + name + "'"},
                                 {"description", "about " + name},
                                 {"observer_can_run", observer_can_run}};
        auto r = call("POST", "/api/v1/fleet/queries", boost::json::serialize(body),
                      token.empty() ? admin_ : token);
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status != 200)
            return 0;
        const auto v = r.json();
        return v.at("query").at("id").as_int64();
    }
    /// The names a list answer holds, in order.
    static std::vector<std::string> names_of(const http_reply& r) {
        std::vector<std::string> out;
        const auto v = r.json();
        for (const auto& q : v.at("queries").as_array())
            out.emplace_back(q.at("name").as_string());
        return out;
    }
    /// The first error's field name.
    static std::string field_of(const http_reply& r) {
        const auto v = r.json();
        return std::string(v.at("errors").at(0).at("name").as_string());
    }
    /// 422 "Validation Failed" naming `field` first.
    static void expect_invalid(const http_reply& r, const std::string& field) {
        EXPECT_EQ(r.status, 422) << r.body;
        if (r.status != 422)
            return;
        EXPECT_EQ(r.json().at("message"), "Validation Failed") << r.body;
        EXPECT_EQ(field_of(r), field) << r.body;
    }
    /// The number of saved queries in the store.
    std::size_t stored_count() {
        auto all = inspect_->saved_query_details();
        EXPECT_TRUE(all);
        return all ? all->size() : 0;
    }

    std::string admin_;
    std::unique_ptr<storage::store> inspect_;
    std::int64_t blue_ = 0, red_ = 0;
};

} // namespace flotilla::testing
