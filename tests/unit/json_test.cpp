#include "model/json.hpp"

#include <gtest/gtest.h>

using namespace flotilla;

TEST(json, empty_body_is_a_bad_request) {
    auto v = json::parse("");
    ASSERT_FALSE(v);
    EXPECT_EQ(v.err().code, errc::bad_request);
    EXPECT_EQ(v.err().message, "Expected JSON Body");
}

TEST(json, malformed_body_is_a_bad_request_naming_the_decoder) {
    auto v = json::parse("{\"a\":");
    ASSERT_FALSE(v);
    EXPECT_EQ(v.err().code, errc::bad_request);
    EXPECT_TRUE(v.err().message.starts_with("json decoder error")) << v.err().message;
}

TEST(json, a_non_object_where_an_object_is_required_is_a_bad_request) {
    auto v = json::parse_object("[1,2]");
    ASSERT_FALSE(v);
    EXPECT_EQ(v.err().code, errc::bad_request);
    EXPECT_NE(v.err().message.find("got array"), std::string::npos) << v.err().message;
}

TEST(json, reader_reads_present_fields_and_treats_null_as_absent) {
    auto o = json::parse_object(R"({"s":"x","i":7,"d":3.0,"b":true,"n":null,"o":{},"a":[1]})");
    ASSERT_TRUE(o);
    json::reader r(*o);
    EXPECT_EQ(r.str("s"), "x");
    EXPECT_EQ(r.int64("i"), 7);
    EXPECT_EQ(r.int64("d"), 3);
    EXPECT_EQ(r.boolean("b"), true);
    EXPECT_EQ(r.str("n"), std::nullopt);
    EXPECT_EQ(r.str("missing"), std::nullopt);
    EXPECT_NE(r.object("o"), nullptr);
    ASSERT_NE(r.array("a"), nullptr);
    EXPECT_EQ(r.array("a")->size(), 1u);
    EXPECT_FALSE(r.failure());
}

TEST(json, reader_records_the_first_type_mismatch_with_the_field_path) {
    auto o = json::parse_object(R"({"name":5,"count":"x"})");
    ASSERT_TRUE(o);
    json::reader r(*o, "spec");
    EXPECT_EQ(r.str("name"), std::nullopt);
    EXPECT_EQ(r.int64("count"), std::nullopt);
    ASSERT_TRUE(r.failure());
    EXPECT_EQ(r.failure()->code, errc::bad_request);
    EXPECT_EQ(r.failure()->message,
              "json: cannot unmarshal number into field spec.name of type string");
}

TEST(json, reader_rejects_fractional_numbers_as_integers) {
    auto o = json::parse_object(R"({"i":1.5})");
    ASSERT_TRUE(o);
    json::reader r(*o);
    EXPECT_EQ(r.int64("i"), std::nullopt);
    ASSERT_TRUE(r.failure());
}

TEST(json, reader_rejects_big_numbers_and_strings_of_them_as_integers) {
    // Doubles past int64's range once went through an undefined cast.
    // (-9223372036854775809 parses as the double -2^63, which is in range.)
    for (const char* big : {"1e300", "-1e300", "9223372036854775808.0", "99999999999999999999",
                            "18446744073709551616"}) {
        auto o = json::parse_object(std::string(R"({"i":)") + big + "}");
        ASSERT_TRUE(o) << big;
        json::reader r(*o);
        EXPECT_EQ(r.int64("i"), std::nullopt) << big;
        EXPECT_TRUE(r.failure()) << big;
    }
    auto o = json::parse_object(R"({"min":-9223372036854775808.0,"two":2.0})");
    ASSERT_TRUE(o);
    json::reader r(*o);
    EXPECT_EQ(r.int64("min"), INT64_MIN);
    EXPECT_EQ(r.int64("two"), 2);
    EXPECT_FALSE(r.failure());
}

// Found by fuzz_json: Boost.JSON reads 1e999 as infinity and writes it back as
// `Infinity`, which no JSON parser accepts; Go's decoder rejects such a number.
TEST(json, a_number_too_large_for_a_double_is_a_bad_request) {
    for (const char* body : {R"({"i":1e999})", R"({"a":[1,{"b":-33333333333333e33333}]})"}) {
        auto v = json::parse(body);
        ASSERT_FALSE(v) << body;
        EXPECT_EQ(v.err().code, errc::bad_request);
        EXPECT_EQ(v.err().message, "json decoder error: number out of range");
    }
    EXPECT_TRUE(json::parse(R"({"d":1.7976931348623157e308})"));
}

// Converting a double outside int64's range to int64 is undefined behaviour
// (UBSan: float-cast-overflow); such a number is a type mismatch.
TEST(json, reader_rejects_whole_numbers_outside_int64_as_integers) {
    auto o = json::parse_object(R"({"big":1e300,"edge":9.3e18,"neg":-9.3e18,"min":-9.2e18,)"
                                R"("low":-9223372036854775808.0})");
    ASSERT_TRUE(o);
    json::reader r(*o);
    EXPECT_EQ(r.int64("big"), std::nullopt);
    EXPECT_EQ(r.int64("edge"), std::nullopt);
    EXPECT_EQ(r.int64("neg"), std::nullopt);
    EXPECT_EQ(r.int64("min"), -9200000000000000000);
    EXPECT_EQ(r.int64("low"), INT64_MIN);
    ASSERT_TRUE(r.failure());
    EXPECT_EQ(r.failure()->message, "json: cannot unmarshal number into field big of type integer");
}
