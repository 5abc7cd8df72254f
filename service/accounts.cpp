#include "service/accounts.hpp"

#include "model/secrets.hpp"
#include "model/text.hpp"
#include "service/activities.hpp"
#include "storage/store.hpp"

#include <boost/json.hpp>

namespace flotilla::service {

std::vector<field_error> validate_setup(const setup_request& s) {
    auto errors = validate_server_url(s.server_url);
    if (!s.has_admin) {
        errors.push_back({"admin", "setup request must provide admin"});
        return errors;
    }
    if (s.email.empty())
        errors.push_back({"admin.email", "admin email cannot be empty"});
    if (s.password.empty())
        errors.push_back({"admin.password", "admin password cannot be empty"});
    if (s.name.empty())
        errors.push_back({"admin.name", "admin name cannot be empty"});
    check_length(errors, "admin.email", s.email, "admin email");
    check_length(errors, "admin.name", s.name, "admin name");
    return errors;
}

expected<set_up_result> set_up(storage::store& st, const setup_request& s,
                               const std::string& password_hash, micros now) {
    set_up_result out;
    out.token = random_base64(64);
    auto done = st.transaction([&]() -> expected<void> {
        auto n = st.count_users();
        if (!n)
            return n.err();
        if (*n > 0)
            return error{errc::route_not_found, "404 page not found", {}};
        if (auto r = st.save_app_config(new_app_config(s.org, s.server_url)); !r)
            return r;
        user u;
        u.name = s.name;
        u.email = s.email;
        u.password_hash = password_hash;
        u.global_role = role::admin;
        auto created = st.new_user(std::move(u), now);
        if (!created)
            return created.err();
        out.admin = *created;
        if (auto r = record_activity(st, out.admin, "created_user",
                                     {{"user_id", out.admin.id},
                                      {"user_name", out.admin.name},
                                      {"user_email", out.admin.email}},
                                     now);
            !r)
            return r;
        if (auto r = st.apply_global_enroll_secrets({random_base64(24)}, now); !r)
            return r;
        auto sess = st.new_session(out.admin.id, digest_hex(out.token), now);
        if (!sess)
            return sess.err();
        return {};
    });
    if (!done)
        return done.err();
    return out;
}

error login_failed() {
    return {errc::login_failed, "Authentication failed", {}};
}

expected<user> login_user(storage::store& st, const std::string& email) {
    if (email.empty())
        return login_failed();
    auto u = st.user_by_email(email);
    if (!u && u.err().code == errc::not_found)
        return login_failed();
    return u;
}

expected<std::string> open_session(storage::store& st, const user& u,
                                   const std::string& remote_address, micros now) {
    std::string token = random_base64(64);
    auto done = st.transaction([&]() -> expected<void> {
        if (auto sess = st.new_session(u.id, digest_hex(token), now); !sess)
            return sess.err();
        return record_activity(st, u, "user_logged_in", {{"public_ip", remote_address}}, now);
    });
    if (!done)
        return done.err();
    return token;
}

} // namespace flotilla::service
