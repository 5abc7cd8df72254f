#include "tests/support/builders.hpp"

#include "model/secrets.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace flotilla::testing {

std::string make_user_with_token(storage::store& st, const std::string& email,
                                 std::optional<role> global_role,
                                 const std::vector<std::pair<std::int64_t, role>>& teams) {
    user u;
    u.name = email;
    u.email = email;
    u.password_hash = "$argon2id$not-a-real-hash";
    u.global_role = global_role;
    auto created = st.new_user(u, now_micros());
    EXPECT_TRUE(created) << created.err().message;
    if (!created)
        return {};
    std::vector<team_role> roles;
    for (auto [id, r] : teams)
        roles.push_back({id, "", "", r});
    EXPECT_TRUE(st.set_user_teams(created->id, roles));
    const std::string token = random_base64(64);
    EXPECT_TRUE(st.new_session(created->id, digest_hex(token), now_micros()));
    return token;
}

std::int64_t make_team(storage::store& st, const std::string& name) {
    EXPECT_TRUE(
        st.apply_team_specs({{name, std::nullopt, {}}}, boost::json::object{}, now_micros()));
    auto t = st.team_by_name(name);
    EXPECT_TRUE(t);
    return t ? t->id : 0;
}

} // namespace flotilla::testing
