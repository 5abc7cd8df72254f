#include "http/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace flotilla;

TEST(rate_limiter, allows_the_burst_then_asks_to_wait) {
    http::rate_limiter rl(10, 9);
    const micros t = seconds_to_micros(1000);
    for (int i = 0; i < 9; ++i)
        EXPECT_EQ(rl.take("10.0.0.1", t), std::nullopt) << i;
    auto wait = rl.take("10.0.0.1", t);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 6); // one token every 6 s at 10 per minute
}

TEST(rate_limiter, buckets_are_per_address) {
    http::rate_limiter rl(10, 9);
    const micros t = seconds_to_micros(1000);
    for (int i = 0; i < 9; ++i)
        (void)rl.take("10.0.0.1", t);
    EXPECT_TRUE(rl.take("10.0.0.1", t));
    EXPECT_EQ(rl.take("10.0.0.2", t), std::nullopt);
}

TEST(rate_limiter, refills_over_time) {
    http::rate_limiter rl(10, 9);
    const micros t = seconds_to_micros(1000);
    for (int i = 0; i < 9; ++i)
        (void)rl.take("a", t);
    EXPECT_TRUE(rl.take("a", t + seconds_to_micros(5)));
    EXPECT_EQ(rl.take("a", t + seconds_to_micros(12)), std::nullopt);
}
