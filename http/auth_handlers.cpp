/// Setup, login, logout and me (fleet-behaviour.md §2).

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/rest_codec.hpp"
#include "model/json.hpp"
#include "model/secrets.hpp"
#include "model/text.hpp"

#include <boost/json.hpp>

namespace flotilla::http {
namespace {

namespace bj = boost::json;

// --- POST /api/v1/setup ----------------------------------------------------------

std::vector<field_error> validate(const setup_request& s) {
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

} // namespace

namespace handlers {

void setup(api& a, const request& req, const path_params&, responder reply) {
    auto decoded = decode_setup(req.body);
    if (!decoded)
        return reply(to_response(decoded.err()));
    if (auto errors = validate(*decoded); !errors.empty())
        return reply(to_response({errc::invalid_argument, "Validation Failed", std::move(errors)}));
    a.off_thread([&a, s = std::move(*decoded), reply = std::move(reply)]() mutable {
        auto hash = hash_password(s.password);
        if (!hash)
            return reply(to_response(error::backend("cannot hash password: out of memory")));
        a.with_store(
            std::move(reply),
            [&a, s = std::move(s), hash = std::move(*hash)](storage::store& st) -> response {
                const micros now = a.now();
                const std::string token = random_base64(64);
                user admin;
                auto done = st.transaction([&]() -> expected<void> {
                    auto n = st.count_users();
                    if (!n)
                        return n.err();
                    if (*n > 0)
                        return error{errc::route_not_found, "404 page not found", {}};
                    if (auto r = st.save_app_config({s.org, s.server_url, default_agent_options()});
                        !r)
                        return r;
                    user u;
                    u.name = s.name;
                    u.email = s.email;
                    u.password_hash = hash;
                    u.global_role = role::admin;
                    auto created = st.new_user(std::move(u), now);
                    if (!created)
                        return created.err();
                    admin = *created;
                    if (auto r = st.apply_global_enroll_secrets({random_base64(24)}, now); !r)
                        return r;
                    auto sess = st.new_session(admin.id, digest_hex(token), now);
                    if (!sess)
                        return sess.err();
                    return {};
                });
                if (!done)
                    return to_response(done.err());
                a.mark_setup_done();
                return response::json(200, bj::object{{"admin", to_json(admin)},
                                                      {"org_info", to_json(s.org)},
                                                      {"server_url", s.server_url},
                                                      {"osquery_enroll_secret", nullptr},
                                                      {"token", token}});
            });
    });
}

// --- POST /api/v1/fleet/login ------------------------------------------------------

void login(api& a, const request& req, const path_params&, responder reply) {
    auto body = decode_login(req.body);
    if (!body)
        return reply(to_response(body.err()));
    if (auto wait = a.login_limiter().take(req.remote_address, a.now()))
        return reply(to_response({errc::rate_limited, "limit exceeded", {}, *wait}));
    std::string email = std::move(body->email);
    std::string password = std::move(body->password);
    const error failed{errc::login_failed, "Authentication failed", {}};
    if (email.empty() || password.empty())
        return reply(to_response(failed));
    a.on_store([&a, email, password, reply, failed](storage::store& st) {
        auto u = st.user_by_email(email);
        if (!u)
            return reply(to_response(u.err().code == errc::not_found ? failed : u.err()));
        // Verifying argon2id takes tens of milliseconds: not on the store's thread.
        a.off_thread([&a, u = std::move(*u), password, reply, failed]() {
            if (!verify_password(u.password_hash, password))
                return reply(to_response(failed));
            a.with_store(reply, [&a, u](storage::store& st2) -> response {
                const std::string token = random_base64(64);
                auto sess = st2.new_session(u.id, digest_hex(token), a.now());
                if (!sess)
                    return to_response(sess.err());
                return response::json(200, bj::object{{"user", to_json(u)},
                                                      {"available_teams", bj::array{}},
                                                      {"token", token}});
            });
        });
    });
}

// --- POST /api/v1/fleet/logout, GET /api/v1/fleet/me -------------------------------

expected<session_job> logout(api&, const request&, const path_params&, const responder&) {
    return session_job{[](storage::store& st, const viewer& v) -> response {
        if (auto r = st.delete_session(v.s.id); !r)
            return to_response(r.err());
        return response::empty_object();
    }};
}

expected<session_job> me(api&, const request&, const path_params&, const responder&) {
    return session_job{[](storage::store&, const viewer& v) -> response {
        return response::json(200,
                              bj::object{{"user", to_json(v.u)}, {"available_teams", bj::array{}}});
    }};
}

} // namespace handlers

} // namespace flotilla::http
