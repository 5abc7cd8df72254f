/// The campaign's streaming rules without an actor: the replay buffer's bounds
/// in results and in bytes, the truncation notice, and freeing the buffer.

#include "actors/campaign_actor.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::actors;
namespace bj = boost::json;

namespace {

campaign_result result_of(std::int64_t host, std::size_t pad) {
    campaign_result r;
    r.campaign_id = 1;
    r.host_id = host;
    r.hostname = "h" + std::to_string(host);
    r.rows.push_back({{"pad", std::string(pad, 'x')}});
    return r;
}

std::vector<std::string> types_of(const std::vector<std::string>& msgs) {
    std::vector<std::string> out;
    for (const auto& m : msgs)
        out.emplace_back(bj::parse(m).at("type").as_string());
    return out;
}

campaign_state started(std::size_t max_results, std::size_t max_bytes) {
    campaign_state s;
    campaign c;
    c.id = 1;
    host_counts counts;
    counts.online = counts.total = 10;
    s.init(c, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, counts, max_results, max_bytes);
    return s;
}

} // namespace

TEST(campaign_state, the_replay_buffer_is_bounded_in_bytes_and_says_what_it_dropped) {
    auto s = started(1000, 5000);
    for (int h = 1; h <= 5; ++h)
        s.on_result(result_of(h, 2000)); // each ~2.1 KB: two fit
    EXPECT_EQ(s.actual(), 5);            // the totals stay exact
    EXPECT_EQ(s.buffered_results(), 2u);
    EXPECT_LE(s.buffered_bytes(), 5000u);
    auto msgs = s.on_subscribe();
    EXPECT_EQ(types_of(msgs),
              (std::vector<std::string>{"totals", "status", "error", "result", "result"}));
    EXPECT_EQ(bj::parse(msgs[2]).at("data"),
              "replay truncated: the first 3 results of this campaign are no longer buffered; "
              "later results follow");
    // The newest are the ones kept.
    EXPECT_EQ(bj::parse(msgs[3]).at("data").at("host").at("hostname"), "h4");
    EXPECT_EQ(bj::parse(msgs[4]).at("data").at("host").at("hostname"), "h5");
}

TEST(campaign_state, the_replay_buffer_is_bounded_in_results) {
    auto s = started(3, 1 << 20);
    for (int h = 1; h <= 5; ++h)
        s.on_result(result_of(h, 10));
    EXPECT_EQ(s.buffered_results(), 3u);
    auto types = types_of(s.on_subscribe());
    EXPECT_EQ(std::count(types.begin(), types.end(), "result"), 3);
    EXPECT_EQ(std::count(types.begin(), types.end(), "error"), 1);
}

TEST(campaign_state, nothing_dropped_means_no_error_and_release_frees_everything) {
    auto s = started(100, 1 << 20);
    s.on_result(result_of(1, 100));
    s.on_result(result_of(2, 100));
    EXPECT_EQ(types_of(s.on_subscribe()),
              (std::vector<std::string>{"totals", "status", "result", "result"}));
    const auto bytes = s.buffered_bytes();
    EXPECT_GT(bytes, 200u);
    EXPECT_EQ(s.release(), bytes);
    EXPECT_EQ(s.buffered_bytes(), 0u);
    EXPECT_EQ(s.buffered_results(), 0u);
}

TEST(campaign_state, a_single_result_over_the_byte_bound_is_streamed_but_not_kept) {
    auto s = started(100, 1000);
    auto out = s.on_result(result_of(1, 5000));
    EXPECT_EQ(types_of(out)[0], "result"); // live subscribers still get it
    EXPECT_EQ(s.buffered_results(), 0u);
    EXPECT_EQ(s.actual(), 1);
}
