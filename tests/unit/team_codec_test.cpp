/// The teams routes' and host transfers' request bodies (http/team_codec.hpp).

#include "http/team_codec.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::http;

TEST(team_codec, a_team_payload_reads_name_and_description_and_refuses_wrong_types) {
    auto p = decode_team_payload(R"({"name":"blue","description":"d","extra":1})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, "blue");
    EXPECT_EQ(p->description, "d");
    auto absent = decode_team_payload(R"({"name":null})");
    ASSERT_TRUE(absent);
    EXPECT_EQ(absent->name, std::nullopt);
    EXPECT_EQ(absent->description, std::nullopt);
    for (const char* bad : {R"({"name":1})", R"({"description":{}})", "[]", "{", ""}) {
        auto r = decode_team_payload(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.err().code, errc::bad_request) << bad;
    }
}

TEST(team_codec, agent_options_are_any_json_object) {
    auto o = decode_agent_options(R"({"config":{"options":{"a":[1,"x",null]}}})");
    ASSERT_TRUE(o);
    EXPECT_EQ(*o, boost::json::parse(R"({"config":{"options":{"a":[1,"x",null]}}})"));
    for (const char* bad : {"[]", "null", "1", R"("s")", "{", ""})
        EXPECT_EQ(decode_agent_options(bad).err().code, errc::bad_request) << bad;
}

TEST(team_codec, secrets_and_members_need_their_key_and_well_typed_entries) {
    auto s = decode_team_secrets(R"({"secrets":[{"secret":"a","created_at":"0001-01-01T00:00:00Z"},
                                                {"secret":"b"}]})");
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(decode_team_secrets(R"({"secrets":[]})")->empty());
    for (const char* bad : {"{}", R"({"secrets":null})", R"({"secrets":[{}]})",
                            R"({"secrets":[{"secret":1}]})", R"({"secrets":["a"]})"})
        EXPECT_EQ(decode_team_secrets(bad).err().code, errc::bad_request) << bad;

    auto m = decode_team_members(R"({"users":[{"id":3,"role":"observer"},{"id":4}]})");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 2u);
    EXPECT_EQ((*m)[0].user_id, 3);
    EXPECT_EQ((*m)[0].role, "observer");
    EXPECT_EQ((*m)[1].role, "");
    for (const char* bad : {"{}", R"({"users":[{"id":0}]})", R"({"users":[{"id":-1}]})",
                            R"({"users":[{"id":"3"}]})", R"({"users":[{"role":"admin"}]})",
                            R"({"users":[{"id":3,"role":1}]})", R"({"users":[3]})"})
        EXPECT_EQ(decode_team_members(bad).err().code, errc::bad_request) << bad;
}

TEST(team_codec, a_transfer_takes_team_id_or_fleet_id_and_host_ids) {
    auto t = decode_transfer(R"({"team_id":2,"hosts":[1,5]})");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->team_id, 2);
    EXPECT_EQ(t->host_ids, (std::vector<std::int64_t>{1, 5}));
    EXPECT_EQ(decode_transfer(R"({"fleet_id":3,"hosts":[]})")->team_id, 3);
    EXPECT_EQ(decode_transfer(R"({"team_id":3,"fleet_id":3})")->team_id, 3);
    EXPECT_EQ(decode_transfer(R"({"team_id":null,"hosts":[1]})")->team_id, std::nullopt);
    EXPECT_TRUE(decode_transfer("{}")->host_ids.empty());
    for (const char* bad :
         {R"({"team_id":1,"fleet_id":2})", R"({"team_id":"1"})", R"({"hosts":[1.5]})",
          R"({"hosts":["1"]})", R"({"hosts":[18446744073709551615]})", R"({"hosts":1})"})
        EXPECT_EQ(decode_transfer(bad).err().code, errc::bad_request) << bad;

    auto f = decode_transfer_filter(
        R"({"fleet_id":4,"filters":{"query":"web","status":"online","label_id":6}})");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->team_id, 4);
    EXPECT_EQ(f->filter.query, "web");
    EXPECT_EQ(f->filter.status, "online");
    EXPECT_EQ(f->filter.label_id, 6);
    EXPECT_EQ(f->filter.team_id, std::nullopt);
    EXPECT_TRUE(decode_transfer_filter(R"({"filters":{}})"));
    for (const char* bad : {"{}", R"({"filters":null})", R"({"filters":[]})",
                            R"({"filters":{"label_id":"6"}})", R"({"filters":{"query":1}})"})
        EXPECT_EQ(decode_transfer_filter(bad).err().code, errc::bad_request) << bad;
}
