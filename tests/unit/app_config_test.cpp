#include "model/app_config.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
namespace bj = boost::json;

namespace {

app_config base() {
    return new_app_config({"Acme", ""}, "https://fleet.example.com");
}

expected<app_config> patched(const std::string& json) {
    return patch_app_config(base(), bj::parse(json).as_object());
}

const bj::value& at(const app_config& c, std::initializer_list<std::string_view> path) {
    const bj::value* v = nullptr;
    const bj::object* o = &c.doc;
    for (auto k : path) {
        v = &o->at(k);
        if (v->is_object())
            o = &v->get_object();
    }
    return *v;
}

} // namespace

TEST(app_config, a_new_install_has_fleets_defaults) {
    const auto c = base();
    EXPECT_EQ(c.server_url(), "https://fleet.example.com");
    EXPECT_EQ(c.org().org_name, "Acme");
    EXPECT_EQ(c.agent_options(), default_agent_options());
    EXPECT_EQ(at(c, {"smtp_settings", "port"}), 587);
    EXPECT_EQ(at(c, {"server_settings", "enable_analytics"}), true);
    EXPECT_EQ(at(c, {"webhook_settings", "interval"}), "24h0m0s");
    EXPECT_FALSE(c.live_query_disabled());
}

TEST(app_config, objects_merge_key_by_key_and_lists_and_options_are_replaced) {
    auto c = patched(R"({"org_info":{"org_name":"Beta"},
        "server_settings":{"live_query_disabled":true,"debug_host_ids":[3,4]},
        "agent_options":{"config":{"options":{"distributed_interval":5}}}})");
    ASSERT_TRUE(c) << c.err().message;
    EXPECT_EQ(c->org().org_name, "Beta");
    EXPECT_EQ(c->server_url(), "https://fleet.example.com"); // kept: not in the patch
    EXPECT_TRUE(c->live_query_disabled());
    EXPECT_EQ(at(*c, {"server_settings", "debug_host_ids"}), (bj::array{3, 4}));
    EXPECT_EQ(c->agent_options(),
              bj::parse(R"({"config":{"options":{"distributed_interval":5}}})"));
    auto again = patch_app_config(
        *c, bj::parse(R"({"server_settings":{"debug_host_ids":[9]}})").as_object());
    ASSERT_TRUE(again);
    EXPECT_EQ(at(*again, {"server_settings", "debug_host_ids"}), (bj::array{9}));
    EXPECT_TRUE(again->live_query_disabled());
}

TEST(app_config, null_clears_additional_queries_and_leaves_plain_values) {
    auto c = patched(R"({"host_settings":{"additional_queries":{"time":"SELECT * FROM time"}}})");
    ASSERT_TRUE(c);
    EXPECT_EQ(at(*c, {"host_settings", "additional_queries", "time"}), "SELECT * FROM time");
    auto cleared = patch_app_config(
        *c, bj::parse(R"({"host_settings":{"additional_queries":null,"enable_host_users":null},
                          "org_info":null})")
                .as_object());
    ASSERT_TRUE(cleared);
    EXPECT_FALSE(cleared->doc.at("host_settings").as_object().contains("additional_queries"));
    EXPECT_EQ(at(*cleared, {"host_settings", "enable_host_users"}), true);
    EXPECT_EQ(cleared->org().org_name, "Acme");
}

TEST(app_config, unknown_keys_and_wrong_types_are_bad_requests_naming_the_key) {
    auto unknown = patched(R"({"org_info":{"org_nam":"x"}})");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.err().code, errc::bad_request);
    EXPECT_EQ(unknown.err().message, "unknown field \"org_info.org_nam\"");
    auto top = patched(R"({"nope":1})");
    ASSERT_FALSE(top);
    EXPECT_EQ(top.err().message, "unknown field \"nope\"");
    for (const char* body :
         {R"({"server_settings":{"live_query_disabled":"yes"}})", R"({"org_info":"x"})",
          R"({"smtp_settings":{"port":-1}})", R"({"smtp_settings":{"port":1.5}})",
          R"({"server_settings":{"debug_host_ids":["a"]}})", R"({"agent_options":[1]})",
          R"({"webhook_settings":{"interval":"soon"}})",
          R"({"host_settings":{"additional_queries":{"a":1}}})"}) {
        auto r = patched(body);
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.err().code, errc::bad_request) << body;
        EXPECT_NE(r.err().message.find("invalid value for"), std::string::npos) << body;
    }
}

TEST(app_config, read_only_blocks_are_ignored_and_the_masked_password_keeps_the_stored_one) {
    auto c = patched(R"({"license":{"tier":"premium"},"logging":{},"update_interval":{},
        "smtp_settings":{"password":"s3cret","configured":true}})");
    ASSERT_TRUE(c) << c.err().message;
    EXPECT_FALSE(c->doc.contains("license"));
    EXPECT_EQ(at(*c, {"smtp_settings", "password"}), "s3cret");
    auto masked =
        patch_app_config(*c, bj::parse(R"({"smtp_settings":{"password":"********"}})").as_object());
    ASSERT_TRUE(masked);
    EXPECT_EQ(at(*masked, {"smtp_settings", "password"}), "s3cret");
    const auto shown = enriched_app_config(*masked, {});
    EXPECT_EQ(shown.at("smtp_settings").at("password"), "********");
    EXPECT_EQ(shown.at("smtp_settings").at("configured"), false);
}

TEST(app_config, rules_on_the_merged_config_are_validation_errors_naming_the_field) {
    auto expiry = patched(R"({"host_expiry_settings":{"host_expiry_enabled":true}})");
    ASSERT_FALSE(expiry);
    EXPECT_EQ(expiry.err().code, errc::invalid_argument);
    EXPECT_EQ(expiry.err().fields.at(0).name, "host_expiry_window");
    EXPECT_TRUE(patched(R"({"host_expiry_settings":{"host_expiry_enabled":true,
                            "host_expiry_window":30}})"));
    auto url = patched(R"({"server_settings":{"server_url":"http://fleet.example.com"}})");
    ASSERT_FALSE(url);
    EXPECT_EQ(url.err().fields.at(0).name, "server_url");
    auto sso = patched(R"({"sso_settings":{"enable_sso":true,"idp_name":"abc"}})");
    ASSERT_FALSE(sso);
    EXPECT_EQ(sso.err().fields.size(), 3u);
    auto hook = patched(R"({"webhook_settings":{"host_status_webhook":
                           {"enable_host_status_webhook":true}}})");
    ASSERT_FALSE(hook);
    EXPECT_EQ(hook.err().fields.at(0).name, "destination_url");
    auto opts =
        patched(R"({"agent_options":{"config":[],"overrides":{"platforms":{"darwin":1}}}})");
    ASSERT_FALSE(opts);
    EXPECT_EQ(opts.err().code, errc::invalid_argument);
    EXPECT_EQ(opts.err().fields.size(), 2u);
    EXPECT_EQ(opts.err().fields.at(0).name, "agent_options");
}

TEST(app_config, features_is_host_settings_and_get_adds_the_read_only_blocks) {
    auto c = patched(R"({"features":{"enable_software_inventory":false}})");
    ASSERT_TRUE(c) << c.err().message;
    EXPECT_EQ(at(*c, {"host_settings", "enable_software_inventory"}), false);
    const auto shown = enriched_app_config(
        *c, {std::chrono::seconds(3600), std::chrono::seconds(600), "/var/r", "/var/s"});
    EXPECT_EQ(shown.at("features"), shown.at("host_settings"));
    EXPECT_EQ(shown.at("update_interval").at("osquery_detail"), 3'600'000'000'000);
    EXPECT_EQ(shown.at("update_interval").at("osquery_policy"), 600'000'000'000);
    EXPECT_EQ(shown.at("license").at("tier"), "free");
    EXPECT_EQ(shown.at("logging").at("result").at("config").at("result_log_file"), "/var/r");
    EXPECT_EQ(shown.at("logging").at("status").at("plugin"), "filesystem");
}

TEST(app_config, the_first_stored_format_is_read_with_defaults_filled_in) {
    auto c = app_config_from_stored(bj::parse(
        R"({"server_url":"https://old.example","org_info":{"org_name":"Old","org_logo_url":""},
            "agent_options":{"config":{}}})"));
    EXPECT_EQ(c.server_url(), "https://old.example");
    EXPECT_FALSE(c.doc.contains("server_url"));
    EXPECT_EQ(c.org().org_name, "Old");
    EXPECT_EQ(c.agent_options(), bj::parse(R"({"config":{}})"));
    EXPECT_EQ(at(c, {"smtp_settings", "port"}), 587);
}

TEST(app_config, go_durations_parse_and_print_as_go_does) {
    EXPECT_EQ(go_duration_string(24 * 3'600'000'000'000LL), "24h0m0s");
    EXPECT_EQ(go_duration_string(90'000'000'000LL), "1m30s");
    EXPECT_EQ(go_duration_string(1'500'000'000LL), "1.5s");
    EXPECT_EQ(go_duration_string(0), "0s");
    EXPECT_EQ(parse_go_duration("1h"), 3'600'000'000'000LL);
    EXPECT_EQ(parse_go_duration("1h30m"), 5'400'000'000'000LL);
    EXPECT_EQ(parse_go_duration("300ms"), 300'000'000LL);
    EXPECT_EQ(parse_go_duration("0"), 0);
    for (const char* bad : {"", "h", "1", "1x", "-1h", "1.h5", "99999999999h"})
        EXPECT_FALSE(parse_go_duration(bad)) << bad;
}
