/// The config cache (issue 14 pt 3) serves exactly what service::agent_config
/// assembles from the store, on both stores: team and global options, platform
/// overrides, packs through All Hosts, a dynamic label, a team and a host; label
/// results move a host's packs without a reload; invalidation forgets the inputs.

#include "service/agents.hpp"
#include "service/config_cache.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

class config_cache_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(GetParam());
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
    }
    void set_up_instance() {
        auto cfg = new_app_config({"Org", ""}, "https://localhost");
        cfg.doc["agent_options"] = bj::parse(
            R"({"config":{"options":{"distributed_interval":10}},"overrides":{"platforms":{"darwin":{"options":{"distributed_interval":30}}}}})");
        ASSERT_TRUE(st_->save_app_config(cfg));
    }
    std::int64_t enroll(const std::string& id, const std::string& platform,
                        std::optional<std::int64_t> team) {
        host h;
        h.osquery_host_id = id;
        h.hostname = id;
        h.platform = platform;
        auto e = st_->enroll_host(h, "key-" + id, team, t0_);
        EXPECT_TRUE(e);
        return e ? e->h.id : 0;
    }
    /// What the cache serves, parsed; null when it has no inputs.
    bj::value cached(std::int64_t id, std::optional<std::int64_t> team,
                     const std::string& platform) {
        auto body = cache_.find(id, team, platform);
        return body ? bj::parse(*body) : bj::value(nullptr);
    }
    bj::value assembled(std::int64_t id, std::optional<std::int64_t> team,
                        const std::string& platform) {
        auto v = service::agent_config(*st_, id, team, platform);
        EXPECT_TRUE(v);
        return v ? *v : bj::value(nullptr);
    }
    /// The packs a config carries, in its (pack id) order.
    std::vector<std::string> pack_names(const bj::value& cfg) {
        std::vector<std::string> out;
        if (const auto* packs = cfg.as_object().if_contains("packs"))
            for (const auto& [name, _] : packs->as_object())
                out.emplace_back(name);
        return out;
    }
    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    service::config_cache cache_;
    const micros t0_ = seconds_to_micros(1'800'000'000);
};

} // namespace

TEST_P(config_cache_test, before_setup_nothing_is_cached) {
    EXPECT_FALSE(cache_.load(*st_));
    EXPECT_FALSE(cache_.loaded());
    EXPECT_EQ(cache_.find(1, std::nullopt, "ubuntu"), nullptr);
}

TEST_P(config_cache_test, serves_what_the_store_assembles_and_follows_label_results) {
    set_up_instance();
    const auto blue = make_team(*st_, "blue");
    const auto red = make_team(*st_, "red");
    ASSERT_TRUE(st_->update_team(
        {red, "red", "", bj::parse(R"({"config":{"options":{"distributed_interval":99}}})"), 0}));
    ASSERT_TRUE(st_->apply_label_specs(
        {{0, "dyn", "", "select 1", "", false, label_membership::dynamic, std::nullopt}}, t0_));
    const auto dyn = st_->label_spec_by_name("dyn")->id;
    ASSERT_TRUE(st_->apply_query_specs({{"q", "", "SELECT 7", false}}, 0, t0_));
    auto sq = [](std::string name) {
        return scheduled_query_spec{"q", std::move(name), "", 30, {}, {}, {}, {}, {}, {}};
    };
    const auto a = enroll("a", "ubuntu", std::nullopt);
    const auto b = enroll("b", "darwin", blue);
    const auto c = enroll("c", "ubuntu", red);
    ASSERT_TRUE(st_->apply_pack_specs({{0, "everyone", "", "", false, {"All Hosts"}, {}, {sq("e")}},
                                       {0, "by_dyn", "", "", false, {"dyn"}, {}, {sq("d")}},
                                       {0, "by_team", "", "", false, {}, {"blue"}, {sq("t")}},
                                       {0, "off", "", "", true, {"All Hosts"}, {}, {sq("o")}}},
                                      t0_));
    ASSERT_TRUE(st_->record_label_results(c, {{dyn, true}}, t0_));

    ASSERT_TRUE(cache_.load(*st_));
    for (auto [id, team, platform] : {std::tuple{a, std::optional<std::int64_t>(), "ubuntu"},
                                      std::tuple{b, std::optional(blue), "darwin"},
                                      std::tuple{c, std::optional(red), "ubuntu"}}) {
        EXPECT_EQ(cached(id, team, platform), assembled(id, team, platform)) << id;
        EXPECT_EQ(cached(id, team, platform), assembled(id, team, platform)) << id; // cached
    }
    EXPECT_EQ(pack_names(cached(a, std::nullopt, "ubuntu")), std::vector<std::string>{"everyone"});
    EXPECT_EQ(pack_names(cached(b, blue, "darwin")),
              (std::vector<std::string>{"everyone", "by_team"}));
    EXPECT_EQ(cached(b, blue, "darwin").at("options").at("distributed_interval"), 30);
    EXPECT_EQ(cached(c, red, "ubuntu").at("options").at("distributed_interval"), 99);
    EXPECT_EQ(pack_names(cached(c, red, "ubuntu")),
              (std::vector<std::string>{"everyone", "by_dyn"}));

    // Label results as the check-in path writes them: a joins dyn, c leaves it.
    std::vector<storage::host_store::label_results> results{{a, {{dyn, true}}, t0_},
                                                            {c, {{dyn, false}}, t0_}};
    ASSERT_TRUE(st_->record_label_batch(results));
    cache_.labels_written(results);
    EXPECT_EQ(cached(a, std::nullopt, "ubuntu"), assembled(a, std::nullopt, "ubuntu"));
    EXPECT_EQ(pack_names(cached(a, std::nullopt, "ubuntu")),
              (std::vector<std::string>{"everyone", "by_dyn"}));
    EXPECT_EQ(cached(c, red, "ubuntu"), assembled(c, red, "ubuntu"));
    EXPECT_EQ(pack_names(cached(c, red, "ubuntu")), std::vector<std::string>{"everyone"});

    // A new row (an id SQLite may reuse) starts in no targeted label.
    cache_.host_inserted(a);
    EXPECT_EQ(pack_names(cached(a, std::nullopt, "ubuntu")), std::vector<std::string>{"everyone"});
    EXPECT_GE(cache_.stats().hits.load(), 3u);
}

TEST_P(config_cache_test, an_invalidation_forgets_the_inputs_until_the_next_load) {
    set_up_instance();
    const auto a = enroll("a", "ubuntu", std::nullopt);
    ASSERT_TRUE(cache_.load(*st_));
    EXPECT_EQ(pack_names(cached(a, std::nullopt, "ubuntu")), std::vector<std::string>{});

    ASSERT_TRUE(st_->apply_query_specs({{"q", "", "SELECT 7", false}}, 0, t0_));
    ASSERT_TRUE(
        st_->apply_pack_specs({{0,
                                "p",
                                "",
                                "",
                                false,
                                {"All Hosts"},
                                {},
                                {scheduled_query_spec{"q", "s", "", 30, {}, {}, {}, {}, {}, {}}}}},
                              t0_));
    cache_.invalidate();
    EXPECT_FALSE(cache_.loaded());
    EXPECT_EQ(cache_.find(a, std::nullopt, "ubuntu"), nullptr);
    ASSERT_TRUE(cache_.load(*st_));
    EXPECT_EQ(pack_names(cached(a, std::nullopt, "ubuntu")), std::vector<std::string>{"p"});
    EXPECT_EQ(cached(a, std::nullopt, "ubuntu"), assembled(a, std::nullopt, "ubuntu"));
}

INSTANTIATE_TEST_SUITE_P(backends, config_cache_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
