/// GET /api/v1/fleet/version, /api/v1/fleet/sso and /healthz, on both stores.

#include "model/build_info.hpp"
#include "tests/support/served_test.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;

namespace {

class info_test : public served_test {
protected:
    void SetUp() override { serve(); }
    http_reply get(const std::string& path, const std::string& token = "") {
        header_list h;
        if (!token.empty())
            h.emplace_back("Authorization", "Bearer " + token);
        return http_once(srv_->port(), "GET", path, "", h);
    }
};

} // namespace

TEST_P(info_test, version_names_this_build_to_signed_in_users) {
    const auto token = srv_->setup();
    for (const char* path : {"/api/v1/fleet/version", "/api/latest/fleet/version"}) {
        auto r = get(path, token);
        ASSERT_EQ(r.status, 200) << r.body;
        const auto j = r.json();
        EXPECT_EQ(j.at("version"), this_build().version.data());
        EXPECT_EQ(j.at("revision"), this_build().revision.data());
        EXPECT_EQ(j.at("branch"), this_build().branch.data());
        EXPECT_FALSE(j.at("build_date").as_string().empty());
        EXPECT_TRUE(j.as_object().contains("go_version"));
    }
    EXPECT_EQ(std::string(this_build().version), "0.1.0");
    EXPECT_EQ(get("/api/v1/fleet/version").status, 401);
}

TEST_P(info_test, sso_is_off_and_needs_no_session) {
    srv_->setup();
    auto r = get("/api/v1/fleet/sso");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(),
              boost::json::parse(
                  R"({"settings":{"idp_name":"","idp_image_url":"","sso_enabled":false}})"));
}

TEST_P(info_test, healthz_is_200_before_and_after_setup_and_500_naming_a_fault) {
    auto before = get("/healthz");
    EXPECT_EQ(before.status, 200) << before.body;
    EXPECT_EQ(before.body, "");
    srv_->setup();
    EXPECT_EQ(get("/healthz").status, 200);
    srv_->stop_registry_for_test();
    auto down = get("/healthz");
    ASSERT_EQ(down.status, 500) << down.body;
    EXPECT_NE(down.body.find("live query service"), std::string::npos) << down.body;
}

INSTANTIATE_TEST_SUITE_P(backends, info_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
