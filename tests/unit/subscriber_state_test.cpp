/// The results stream's handshake (fleet-behaviour.md §5) without an actor or a
/// socket: auth, then select_campaign, Fleet's error texts, batching and order.

#include "actors/subscriber_state.hpp"

#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::actors;
using kind = subscriber_step::kind;

namespace {

user admin() {
    user u;
    u.id = 5;
    u.global_role = role::admin;
    return u;
}

/// A machine that has authenticated `u` and waits for select_campaign.
subscriber_machine signed_in(user u = admin()) {
    subscriber_machine m;
    auto s = m.on_text(R"({"type":"auth","data":{"token":"abc"}})");
    EXPECT_EQ(s.what, kind::authenticate);
    EXPECT_EQ(m.on_auth_result(std::move(u)).what, kind::none);
    EXPECT_EQ(m.phase(), subscriber_phase::select);
    return m;
}

void expect_close(const subscriber_step& s, const std::optional<std::string>& message) {
    EXPECT_EQ(s.what, kind::close);
    EXPECT_EQ(s.message, message);
}

} // namespace

TEST(subscriber_machine, auth_asks_to_check_the_token_and_waits_for_the_answer) {
    subscriber_machine m;
    auto s = m.on_text(R"({"type":"auth","data":{"token":"abc"}})");
    EXPECT_EQ(s.what, kind::authenticate);
    EXPECT_EQ(s.token, "abc");
    EXPECT_EQ(m.phase(), subscriber_phase::authenticating);
}

TEST(subscriber_machine, auth_without_a_string_token_checks_the_empty_token) {
    subscriber_machine m;
    auto s = m.on_text(R"({"type":"auth","data":{"token":7}})");
    EXPECT_EQ(s.what, kind::authenticate);
    EXPECT_EQ(s.token, "");
}

TEST(subscriber_machine, a_first_message_that_is_not_auth_closes_without_a_message) {
    subscriber_machine m;
    expect_close(m.on_text(R"({"type":"select_campaign","data":{"campaign_id":1}})"), std::nullopt);
    EXPECT_EQ(m.phase(), subscriber_phase::closed);
}

TEST(subscriber_machine, malformed_text_before_auth_closes_without_a_message) {
    subscriber_machine m;
    expect_close(m.on_text("{not json"), std::nullopt);
}

TEST(subscriber_machine, malformed_text_after_auth_is_error_reading_select_campaign) {
    auto m = signed_in();
    expect_close(m.on_text("[1,2]"), "error reading select_campaign");
}

TEST(subscriber_machine, an_unknown_or_reset_user_is_unauthorized) {
    subscriber_machine m;
    m.on_text(R"({"type":"auth","data":{"token":"abc"}})");
    expect_close(m.on_auth_result(std::nullopt), "unauthorized");

    subscriber_machine reset;
    reset.on_text(R"({"type":"auth","data":{"token":"abc"}})");
    user u = admin();
    u.force_password_reset = true;
    expect_close(reset.on_auth_result(u), "unauthorized");
}

TEST(subscriber_machine, select_asks_for_the_campaign) {
    auto m = signed_in();
    auto s = m.on_text(R"({"type":"select_campaign","data":{"campaign_id":42}})");
    EXPECT_EQ(s.what, kind::find_campaign);
    EXPECT_EQ(s.campaign_id, 42);
    EXPECT_EQ(m.phase(), subscriber_phase::selecting);
    EXPECT_EQ(m.viewer()->id, 5);
}

TEST(subscriber_machine, select_errors_are_fleets_texts) {
    auto wrong_type = signed_in();
    expect_close(wrong_type.on_text(R"({"type":"auth"})"), "expected select_campaign");
    auto bad_data = signed_in();
    expect_close(bad_data.on_text(R"({"type":"select_campaign","data":"x"})"),
                 "error unmarshaling select_campaign data");
    auto bad_id = signed_in();
    expect_close(bad_id.on_text(R"({"type":"select_campaign","data":{"campaign_id":"7"}})"),
                 "error unmarshaling select_campaign data");
    auto huge = signed_in();
    expect_close(
        huge.on_text(R"({"type":"select_campaign","data":{"campaign_id":18446744073709551615}})"),
        "error unmarshaling select_campaign data");
    auto zero = signed_in();
    expect_close(zero.on_text(R"({"type":"select_campaign","data":{}})"),
                 "0 is not a valid campaign ID");
    auto negative = signed_in();
    expect_close(negative.on_text(R"({"type":"select_campaign","data":{"campaign_id":-3}})"),
                 "0 is not a valid campaign ID");
}

TEST(subscriber_machine, a_user_without_any_role_is_forbidden) {
    user none;
    none.id = 9;
    auto m = signed_in(none);
    expect_close(m.on_text(R"({"type":"select_campaign","data":{"campaign_id":1}})"), "forbidden");
}

TEST(subscriber_machine, a_batch_waits_for_the_auth_answer_and_is_taken_in_order) {
    subscriber_machine m;
    auto s = m.on_text(R"([{"type":"auth","data":{"token":"t"}},)"
                       R"({"type":"select_campaign","data":{"campaign_id":3}}])");
    EXPECT_EQ(s.what, kind::authenticate);
    EXPECT_EQ(s.token, "t");
    // The select waits for the answer; then it is the next step.
    auto next = m.on_auth_result(admin());
    EXPECT_EQ(next.what, kind::find_campaign);
    EXPECT_EQ(next.campaign_id, 3);
}

TEST(subscriber_machine, a_message_sent_while_authenticating_waits) {
    subscriber_machine m;
    m.on_text(R"({"type":"auth","data":{"token":"t"}})");
    EXPECT_EQ(m.on_text(R"({"type":"select_campaign","data":{"campaign_id":8}})").what, kind::none);
    auto next = m.on_auth_result(admin());
    EXPECT_EQ(next.what, kind::find_campaign);
    EXPECT_EQ(next.campaign_id, 8);
}

TEST(subscriber_machine, once_streaming_the_client_is_not_heard) {
    auto m = signed_in();
    m.on_text(R"({"type":"select_campaign","data":{"campaign_id":1}})");
    m.on_streaming();
    EXPECT_EQ(m.phase(), subscriber_phase::streaming);
    EXPECT_EQ(m.on_text("garbage").what, kind::none);
    EXPECT_EQ(m.phase(), subscriber_phase::streaming);
}

TEST(subscriber_machine, closes_once_and_stays_closed) {
    subscriber_machine m;
    m.on_text(R"({"type":"auth","data":{"token":"t"}})");
    EXPECT_TRUE(m.close());
    EXPECT_FALSE(m.close());
    // A late answer does not reopen it.
    EXPECT_EQ(m.on_auth_result(admin()).what, kind::none);
    m.on_streaming();
    EXPECT_EQ(m.phase(), subscriber_phase::closed);
    EXPECT_EQ(m.on_text(R"({"type":"auth"})").what, kind::none);
}
