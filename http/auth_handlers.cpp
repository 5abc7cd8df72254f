/// Setup, login, logout and me (fleet-behaviour.md §2).

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/rest_codec.hpp"
#include "model/json.hpp"
#include "model/secrets.hpp"
#include "service/users.hpp"

#include <boost/json.hpp>

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

response signed_in_response(storage::store& st, const user& u,
                            const std::optional<std::string>& token) {
    auto teams = service::available_teams(st, u);
    if (!teams)
        return to_response(teams.err());
    bj::array available;
    for (const auto& t : *teams)
        available.push_back(
            bj::object{{"id", t.id}, {"name", t.name}, {"description", t.description}});
    bj::object body{{"user", to_json(u)}, {"available_teams", std::move(available)}};
    if (token)
        body["token"] = *token;
    return response::json(200, body);
}

namespace handlers {

// --- POST /api/v1/setup ----------------------------------------------------------

void setup(api& a, const request& req, const path_params&, responder reply) {
    auto decoded = decode_setup(req.body);
    if (!decoded)
        return reply(to_response(decoded.err()));
    if (auto errors = service::validate_setup(*decoded); !errors.empty())
        return reply(to_response({errc::invalid_argument, "Validation Failed", std::move(errors)}));
    a.off_thread([&a, s = std::move(*decoded), reply = std::move(reply)]() mutable {
        auto hash = hash_password(s.password);
        if (!hash)
            return reply(to_response(error::backend("cannot hash password: out of memory")));
        a.with_store(
            std::move(reply),
            [&a, s = std::move(s), hash = std::move(*hash)](storage::store& st) -> response {
                auto done = service::set_up(st, s, hash, a.now());
                if (!done)
                    return to_response(done.err());
                a.mark_setup_done();
                return response::json(200, bj::object{{"admin", to_json(done->admin)},
                                                      {"org_info", to_json(s.org)},
                                                      {"server_url", s.server_url},
                                                      {"osquery_enroll_secret", nullptr},
                                                      {"token", done->token}});
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
    if (password.empty())
        return reply(to_response(service::login_failed()));
    a.on_store([&a, email, password, reply, from = req.remote_address](storage::store& st) {
        auto u = service::login_user(st, email);
        if (!u)
            return reply(to_response(u.err()));
        // Verifying argon2id takes tens of milliseconds: not on the store's thread.
        a.off_thread([&a, u = std::move(*u), password, reply, from]() {
            if (!verify_password(u.password_hash, password))
                return reply(to_response(service::login_failed()));
            a.with_store(reply, [&a, u, from](storage::store& st2) -> response {
                auto token = service::open_session(st2, u, from, a.now());
                if (!token)
                    return to_response(token.err());
                return signed_in_response(st2, u, *token);
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
    return session_job{[](storage::store& st, const viewer& v) -> response {
        return signed_in_response(st, v.u, std::nullopt);
    }};
}

} // namespace handlers

} // namespace flotilla::http
