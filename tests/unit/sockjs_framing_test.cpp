/// http/sockjs_framing: the SockJS frames every transport writes and reads.

#include "http/sockjs_framing.hpp"

#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::http;

TEST(sockjs_framing, messages_are_json_strings_in_one_array_frame) {
    EXPECT_EQ(sockjs::messages_frame({R"({"type":"result"})", "x\"y"}),
              R"(a["{\"type\":\"result\"}","x\"y"])");
    EXPECT_EQ(sockjs::messages_frame({}), "a[]");
}

TEST(sockjs_framing, control_frames_are_sockjs_spellings) {
    EXPECT_EQ(sockjs::open_frame, "o");
    EXPECT_EQ(sockjs::heartbeat_frame, "h");
    EXPECT_EQ(sockjs::go_away_frame, R"(c[3000,"Go away!"])");
    EXPECT_EQ(sockjs::busy_frame, R"(c[2010,"Another connection still open"])");
    EXPECT_EQ(sockjs::too_slow_frame, R"(c[1008,"subscriber too slow: its queue is full"])");
}

TEST(sockjs_framing, xhr_frames_end_with_a_newline_and_the_stream_starts_with_2k_of_h) {
    EXPECT_EQ(sockjs::xhr_frame(sockjs::open_frame), "o\n");
    const auto prelude = sockjs::streaming_prelude();
    EXPECT_EQ(prelude, std::string(2048, 'h') + "\n");
}

TEST(sockjs_framing, a_client_frame_is_an_array_of_strings) {
    auto m = sockjs::decode_client_frame(R"(["{\"type\":\"auth\"}", 7, "b"])");
    ASSERT_TRUE(m);
    EXPECT_EQ(*m, (std::vector<std::string>{R"({"type":"auth"})", "", "b"}));
    auto empty = sockjs::decode_client_frame("");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.err().code, errc::bad_request);
    EXPECT_EQ(empty.err().message, "Payload expected.");
    for (const char* bad : {"{}", "\"a\"", "[", "not json"}) {
        auto r = sockjs::decode_client_frame(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.err().message, "Broken JSON encoding.") << bad;
    }
}
