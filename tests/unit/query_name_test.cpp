/// model/query_name: the one place Fleet's distributed query names are made and read.

#include "model/query_name.hpp"

#include <gtest/gtest.h>
#include <limits>

using namespace flotilla;

TEST(query_name, formats_fleets_four_kinds) {
    EXPECT_EQ(detail_query_name("os_version"), "fleet_detail_query_os_version");
    EXPECT_EQ(label_query_name(7), "fleet_label_query_7");
    EXPECT_EQ(policy_query_name(12), "fleet_policy_query_12");
    EXPECT_EQ(live_query_name(345), "fleet_distributed_query_345");
}

TEST(query_name, parses_what_it_formats) {
    const std::string name = detail_query_name("network_interface");
    auto d = parse_query_name(name); // `detail` views into `name`
    ASSERT_TRUE(d);
    EXPECT_EQ(d->kind, query_kind::detail);
    EXPECT_EQ(d->detail, "network_interface");
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    for (auto [name, kind] : {std::pair{label_query_name(max), query_kind::label},
                              std::pair{policy_query_name(1), query_kind::policy},
                              std::pair{live_query_name(42), query_kind::live}}) {
        auto q = parse_query_name(name);
        ASSERT_TRUE(q) << name;
        EXPECT_EQ(q->kind, kind) << name;
    }
    EXPECT_EQ(parse_query_name(label_query_name(max))->id, max);
    EXPECT_EQ(parse_query_name(live_query_name(42))->id, 42);
}

TEST(query_name, refuses_other_names_and_malformed_ids) {
    for (const char* name :
         {"", "fleet_", "something_else", "fleet_label_query_", "fleet_label_query_x",
          "fleet_policy_query_1x", "fleet_distributed_query_ 1", "fleet_distributed_query_+1",
          "fleet_distributed_query_99999999999999999999", "FLEET_LABEL_QUERY_1"})
        EXPECT_FALSE(parse_query_name(name)) << name;
    // A detail name is whatever follows the prefix (the registry knows which exist).
    EXPECT_EQ(parse_query_name("fleet_detail_query_")->detail, "");
}
