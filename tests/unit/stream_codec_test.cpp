#include "model/stream_codec.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;

TEST(stream_codec, one_object_is_one_message) {
    auto m = decode_client_messages(R"({"type":"auth","data":{"token":"t"}})");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0].at("type").as_string(), "auth");
    EXPECT_EQ((*m)[0].at("data").as_object().at("token").as_string(), "t");
}

TEST(stream_codec, an_array_of_objects_is_its_messages_in_order) {
    auto m = decode_client_messages(R"([{"type":"auth"},{"type":"select_campaign"}])");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 2u);
    EXPECT_EQ((*m)[0].at("type").as_string(), "auth");
    EXPECT_EQ((*m)[1].at("type").as_string(), "select_campaign");
}

TEST(stream_codec, anything_else_is_a_bad_request) {
    for (const char* text : {"", "{", "not json", "[]", "[1]", R"([{"type":"auth"},2])", "\"x\"",
                             "7", "null", "[[]]", R"({"a":1} trailing)"}) {
        auto m = decode_client_messages(text);
        ASSERT_FALSE(m) << text;
        EXPECT_EQ(m.err().code, errc::bad_request) << text;
    }
}

TEST(stream_codec, a_sockjs_frame_is_its_strings_and_other_elements_read_as_empty) {
    auto f = decode_sockjs_frame(R"(["{\"type\":\"auth\"}",5,null,"x"])");
    ASSERT_TRUE(f);
    EXPECT_EQ(*f, (std::vector<std::string>{R"({"type":"auth"})", "", "", "x"}));
    auto empty = decode_sockjs_frame("[]");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(stream_codec, a_sockjs_frame_that_is_not_an_array_is_a_bad_request_as_sockjs_words_it) {
    auto none = decode_sockjs_frame("");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.err().code, errc::bad_request);
    EXPECT_EQ(none.err().message, "Payload expected.");
    for (const char* body : {"[", R"({"a":"b"})", "\"x\"", "o"}) {
        auto f = decode_sockjs_frame(body);
        ASSERT_FALSE(f) << body;
        EXPECT_EQ(f.err().code, errc::bad_request);
        EXPECT_EQ(f.err().message, "Broken JSON encoding.") << body;
    }
}
