#include "model/agent_config.hpp"
#include "model/host.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
namespace bj = boost::json;

namespace {
const micros day = seconds_to_micros(24 * 3600);
const micros t0 = seconds_to_micros(1'800'000'000);
} // namespace

TEST(host, status_follows_fleets_windows) {
    host h;
    h.created_at = t0 - 10 * day;
    h.seen_time = t0;
    EXPECT_EQ(status_of(h, t0 + seconds_to_micros(59)), host_status::online);
    EXPECT_EQ(status_of(h, t0 + seconds_to_micros(60)), host_status::offline);
    EXPECT_EQ(status_of(h, t0 + 30 * day - 1), host_status::offline);
    EXPECT_EQ(status_of(h, t0 + 30 * day), host_status::mia);
    // min(distributed_interval, config_tls_refresh) widens the online window.
    h.distributed_interval = 10;
    h.config_tls_refresh = 120;
    EXPECT_EQ(status_of(h, t0 + seconds_to_micros(69)), host_status::online);
    EXPECT_EQ(status_of(h, t0 + seconds_to_micros(70)), host_status::offline);
    // Never seen: the creation time counts.
    host fresh;
    fresh.created_at = t0;
    EXPECT_EQ(status_of(fresh, t0 + seconds_to_micros(30)), host_status::online);
}

TEST(host, numbers_at_int64s_end_are_taken_without_overflow) {
    // A host reporting INT64_MAX overflowed the nanoseconds and the window's
    // microseconds (UBSan); such values are ignored.
    host h;
    h.created_at = t0 - 10 * day;
    h.seen_time = t0;
    h.uptime_ns = 7;
    const std::string max = std::to_string(INT64_MAX);
    EXPECT_TRUE(ingest_detail(h, "uptime", {{{"total_seconds", max}}}));
    EXPECT_EQ(h.uptime_ns, 7);
    EXPECT_TRUE(ingest_detail(h, "uptime", {{{"total_seconds", "9223372036"}}}));
    EXPECT_EQ(h.uptime_ns, 9223372036LL * 1'000'000'000);
    // Intervals past 2^31-1 s (Fleet stores 32 bits) are ignored; up to it they count.
    EXPECT_TRUE(ingest_detail(h, "osquery_flags",
                              {{{"name", "distributed_interval"}, {"value", max}},
                               {{"name", "config_tls_refresh"}, {"value", max}}}));
    EXPECT_EQ(h.distributed_interval, 0);
    EXPECT_EQ(online_window_s(h), 60);
    const std::string int32_max = std::to_string(INT32_MAX);
    EXPECT_TRUE(ingest_detail(h, "osquery_flags",
                              {{{"name", "distributed_interval"}, {"value", int32_max}},
                               {{"name", "config_tls_refresh"}, {"value", int32_max}}}));
    EXPECT_EQ(h.distributed_interval, INT32_MAX);
    EXPECT_EQ(online_window_s(h), std::int64_t{INT32_MAX} + 60);
    EXPECT_EQ(status_of(h, t0 + 3000 * day), host_status::online);
    EXPECT_EQ(status_from(t0, INT64_MAX, t0 + day), host_status::online);
}

TEST(host, new_means_created_within_a_day) {
    host h;
    h.created_at = t0;
    EXPECT_TRUE(is_new(h, t0 + day));
    EXPECT_FALSE(is_new(h, t0 + day + 1));
}

TEST(host, detail_queries_fill_the_record) {
    host h;
    EXPECT_TRUE(ingest_detail(h, "os_version",
                              {{{"name", "Ubuntu"},
                                {"major", "22"},
                                {"minor", "4"},
                                {"patch", "1"},
                                {"platform", "ubuntu"},
                                {"platform_like", "debian"},
                                {"codename", "jammy"}}}));
    EXPECT_EQ(h.os_version, "Ubuntu 22.4.1");
    EXPECT_EQ(h.platform, "ubuntu");
    EXPECT_EQ(h.platform_like, "debian");
    EXPECT_EQ(h.code_name, "jammy");
    EXPECT_TRUE(ingest_detail(
        h, "system_info",
        {{{"hostname", "h"}, {"physical_memory", "1024"}, {"cpu_logical_cores", "x"}}}));
    EXPECT_EQ(h.hostname, "h");
    EXPECT_EQ(h.memory, 1024);
    EXPECT_EQ(h.cpu_logical_cores, 0); // malformed: ignored
    EXPECT_TRUE(ingest_detail(h, "osquery_flags",
                              {{{"name", "config_refresh"}, {"value", "30"}},
                               {{"name", "distributed_interval"}, {"value", "15"}}}));
    EXPECT_EQ(h.config_tls_refresh, 30);
    EXPECT_EQ(h.distributed_interval, 15);
    EXPECT_TRUE(ingest_detail(h, "network_interface",
                              {{{"address", "fe80::1"}, {"mac", "m0"}},
                               {{"address", "2001:db8::1"}, {"mac", "m1"}},
                               {{"address", "192.168.1.5"}, {"mac", "m2"}}}));
    EXPECT_EQ(h.primary_ip, "192.168.1.5");
    EXPECT_EQ(h.primary_mac, "m2");
    EXPECT_TRUE(ingest_detail(h, "uptime", {{{"total_seconds", "12"}}}));
    EXPECT_EQ(h.uptime_ns, 12'000'000'000);
    EXPECT_FALSE(ingest_detail(h, "no_such_detail", {}));
    EXPECT_EQ(detail_queries().size(), 6u);
}

// An agent's out-of-range numbers made signed arithmetic overflow (undefined
// behaviour, UBSan): uptime seconds * 1e9, and interval + 60 in the online window.
TEST(host, detail_numbers_out_of_range_are_ignored) {
    host h;
    h.uptime_ns = 5;
    EXPECT_TRUE(ingest_detail(h, "uptime", {{{"total_seconds", "9223372036854775807"}}}));
    EXPECT_EQ(h.uptime_ns, 5);
    EXPECT_TRUE(ingest_detail(h, "uptime", {{{"total_seconds", "9223372036"}}}));
    EXPECT_EQ(h.uptime_ns, 9'223'372'036'000'000'000);
    EXPECT_TRUE(ingest_detail(h, "uptime", {{{"total_seconds", "9223372037"}}}));
    EXPECT_EQ(h.uptime_ns, 9'223'372'036'000'000'000);
    h.distributed_interval = 10;
    h.config_tls_refresh = 10;
    EXPECT_TRUE(ingest_detail(h, "osquery_flags",
                              {{{"name", "distributed_interval"}, {"value", "9223372036854775807"}},
                               {{"name", "config_refresh"}, {"value", "-1"}},
                               {{"name", "logger_tls_period"}, {"value", "2147483648"}}}));
    EXPECT_EQ(h.distributed_interval, 10);
    EXPECT_EQ(h.config_tls_refresh, 10);
    EXPECT_EQ(h.logger_tls_period, 0);
    EXPECT_TRUE(ingest_detail(h, "osquery_flags",
                              {{{"name", "distributed_interval"}, {"value", "2147483647"}},
                               {{"name", "config_refresh"}, {"value", "2147483647"}}}));
    EXPECT_EQ(online_window_s(h), 2147483647LL + 60);
    h.seen_time = t0;
    EXPECT_EQ(status_of(h, t0 + 29 * day), host_status::online);
}

TEST(host, platform_families) {
    EXPECT_EQ(platform_family("darwin"), "darwin");
    EXPECT_EQ(platform_family("windows"), "windows");
    for (const char* p : {"ubuntu", "debian", "rhel", "centos"})
        EXPECT_EQ(platform_family(p), "linux") << p;
    EXPECT_EQ(platform_family("freebsd"), "");
}

TEST(host, json_has_fleets_keys) {
    host h;
    h.id = 4;
    h.hostname = "x";
    auto j = to_json(h).as_object();
    for (const char* key : {"created_at", "updated_at", "id", "detail_updated_at", "seen_time",
                            "hostname", "uuid", "platform", "osquery_version", "primary_ip",
                            "primary_mac", "distributed_interval", "team_id", "issues"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j.at("team_id").is_null());
}

TEST(agent_config, uses_the_platform_override_and_adds_packs) {
    auto options = bj::parse(R"({"config":{"options":{"a":1}},
        "overrides":{"platforms":{"darwin":{"options":{"a":2}}}}})");
    EXPECT_EQ(build_agent_config(options, "ubuntu", {}), bj::parse(R"({"options":{"a":1}})"));
    EXPECT_EQ(build_agent_config(options, "darwin", {}), bj::parse(R"({"options":{"a":2}})"));
    host_pack p{"p", "linux", {{"q", "SELECT 1", 60, false, true, std::nullopt, 5, "", "4.0"}}};
    EXPECT_EQ(build_agent_config(options, "ubuntu", {p}),
              bj::parse(R"({"options":{"a":1},"packs":{"p":{"platform":"linux",
                  "queries":{"q":{"query":"SELECT 1","interval":60,"version":"4.0","removed":true,"shard":5}}}}})"));
    EXPECT_EQ(build_agent_config(nullptr, "ubuntu", {}), bj::object{});
}

TEST(host, an_unknown_interval_does_not_count_and_agent_options_give_the_configured_ones) {
    host h;
    EXPECT_EQ(online_window_s(h), 60);
    h.distributed_interval = 600; // config_tls_refresh not reported
    EXPECT_EQ(online_window_s(h), 660);
    h.config_tls_refresh = 30;
    EXPECT_EQ(online_window_s(h), 90);

    const auto opts = boost::json::parse(R"({"config":{"options":{"distributed_interval":120,
        "config_tls_refresh":300}},"overrides":{"platforms":{"darwin":{"options":{
        "distributed_interval":7}}}}})");
    const auto linux_ = configured_intervals(opts, "ubuntu");
    EXPECT_EQ(linux_.distributed, 120);
    EXPECT_EQ(linux_.config_tls_refresh, 300);
    const auto mac = configured_intervals(opts, "darwin");
    EXPECT_EQ(mac.distributed, 7);
    EXPECT_EQ(mac.config_tls_refresh, 0);
    for (const char* bad :
         {R"({"config":{"options":{"distributed_interval":"10"}}})",
          R"({"config":{"options":{"distributed_interval":-5}}})",
          R"({"config":{"options":{"distributed_interval":1.5}}})",
          R"({"config":{"options":{"distributed_interval":1e300}}})", R"({"config":[]})", "null"})
        EXPECT_EQ(configured_intervals(boost::json::parse(bad), "ubuntu").distributed, 0) << bad;
}
