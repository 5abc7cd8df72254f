/// The users routes (fleet-rest.md §3): POST /users/admin, GET /users,
/// GET/PATCH/DELETE /users/{id}, POST /change_password,
/// POST /users/{id}/require_password_reset, POST /users/roles/spec and a user's
/// sessions. Decoding and encoding only; the rules are service/users.hpp.
/// Password hashing and verification run off the store's thread: the job that
/// needs them answers later (response::deferred).

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/query_params.hpp"
#include "http/user_codec.hpp"
#include "model/secrets.hpp"
#include "service/users.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

response user_response(storage::store& st, const user& u, bool with_teams) {
    if (!with_teams)
        return response::json(200, bj::object{{"user", to_json(u)}});
    return signed_in_response(st, u, {});
}

response hash_failed() {
    return to_response(error::backend("cannot hash password: out of memory"));
}

} // namespace

namespace handlers {

// --- POST /users/admin ---------------------------------------------------------

expected<session_job> create_user(api& a, const request& req, const path_params&,
                                  const responder& reply) {
    auto p = decode_user_payload(req.body, true);
    if (!p)
        return p.err();
    return session_job{
        [&a, p = std::move(*p), reply](storage::store& st, const viewer& v) -> response {
            auto u = service::check_new_user(st, v.u, p);
            if (!u)
                return to_response(u.err());
            a.off_thread([&a, u = std::move(*u), password = p.password.value_or(""), reply,
                          actor = v.u]() mutable {
                if (!password.empty()) { // SSO users have no password to sign in with
                    auto hash = hash_password(password);
                    if (!hash)
                        return reply(hash_failed());
                    u.password_hash = std::move(*hash);
                }
                a.with_store(reply, [&a, u = std::move(u), actor](storage::store& st2) -> response {
                    auto created = service::create_user(st2, actor, u, a.now());
                    if (!created)
                        return to_response(created.err());
                    return user_response(st2, *created, false);
                });
            });
            return response::deferred();
        }};
}

// --- GET /users, GET /users/{id} -------------------------------------------------

expected<session_job> list_users(api&, const request& req, const path_params&, const responder&) {
    auto q = query_params::of(req.target);
    if (!q)
        return q.err();
    auto o = q->list_options();
    if (!o)
        return o.err();
    auto team = q->team_id();
    if (!team)
        return team.err();
    return session_job{
        [o = std::move(*o), team = *team](storage::store& st, const viewer&) -> response {
            auto users = service::list_users(st, o, team);
            if (!users)
                return to_response(users.err());
            bj::array out;
            for (const auto& u : *users)
                out.push_back(to_json(u));
            return response::json(200, bj::object{{"users", std::move(out)}});
        }};
}

expected<session_job> get_user(api&, const request&, const path_params& params, const responder&) {
    auto id = path_id(params, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer&) -> response {
        auto u = st.user_by_id(id);
        if (!u)
            return to_response(u.err());
        return user_response(st, *u, true);
    }};
}

// --- PATCH /users/{id} ---------------------------------------------------------------

expected<session_job> modify_user(api& a, const request& req, const path_params& params,
                                  const responder& reply) {
    auto id = path_id(params, "id");
    if (!id)
        return id.err();
    auto p = decode_user_payload(req.body, false);
    if (!p)
        return p.err();
    return session_job{[&a, id = *id, p = std::move(*p), reply](storage::store& st,
                                                                const viewer& v) -> response {
        auto plan = service::plan_user_change(st, v, id, p);
        if (!plan)
            return to_response(plan.err());
        auto apply = [&a, id, p, v](storage::store& s, const std::optional<std::string>& hash) {
            auto u = service::apply_user_change(s, v, id, p, hash, a.now());
            if (!u)
                return to_response(u.err());
            return user_response(s, *u, false);
        };
        if (!plan->verify_password && !p.new_password)
            return apply(st, std::nullopt);
        a.off_thread([&a, plan = std::move(*plan), p, apply, reply]() {
            if (plan.verify_password &&
                !verify_password(plan.target.password_hash, p.password.value_or("")))
                return reply(to_response(
                    {errc::permission_denied, "forbidden", {{"password", "incorrect password"}}}));
            std::optional<std::string> hash;
            if (p.new_password) {
                hash = hash_password(*p.new_password);
                if (!hash)
                    return reply(hash_failed());
            }
            a.with_store(reply, [apply, hash](storage::store& s) { return apply(s, hash); });
        });
        return response::deferred();
    }};
}

// --- DELETE /users/{id} ---------------------------------------------------------------

expected<session_job> delete_user(api& a, const request&, const path_params& params,
                                  const responder&) {
    auto id = path_id(params, "id");
    if (!id)
        return id.err();
    return session_job{[&a, id = *id](storage::store& st, const viewer& v) -> response {
        if (auto r = service::delete_user(st, v.u, id, a.now()); !r)
            return to_response(r.err());
        return response::empty_object();
    }};
}

// --- POST /change_password -------------------------------------------------------------

expected<session_job> change_password(api& a, const request& req, const path_params&,
                                      const responder& reply) {
    auto body = decode_password_change(req.body);
    if (!body)
        return body.err();
    return session_job{[&a, body = std::move(*body), reply](storage::store&,
                                                            const viewer& v) -> response {
        if (auto errors = service::validate_password_change(body.old_password, body.new_password);
            !errors.empty())
            return to_response({errc::invalid_argument, "Validation Failed", std::move(errors)});
        a.off_thread([&a, body, v, reply]() {
            if (!verify_password(v.u.password_hash, body.old_password))
                return reply(
                    to_response(error::invalid("old_password", "old password does not match")));
            auto hash = hash_password(body.new_password);
            if (!hash)
                return reply(hash_failed());
            a.with_store(reply, [&a, v, hash = std::move(*hash)](storage::store& st) -> response {
                if (auto r = service::change_password(st, v, hash, a.now()); !r)
                    return to_response(r.err());
                return response::empty_object();
            });
        });
        return response::deferred();
    }};
}

// --- POST /perform_required_password_reset ---------------------------------------------

expected<session_job> perform_required_password_reset(api& a, const request& req,
                                                      const path_params&, const responder& reply) {
    auto body = decode_password_change(req.body);
    if (!body)
        return body.err();
    return session_job{[&a, body = std::move(*body), reply](storage::store&,
                                                            const viewer& v) -> response {
        if (!service::reset_required(v.u))
            return to_response({errc::permission_denied,
                                "forbidden",
                                {{"base", "cannot reset password: no reset is required"}}});
        if (body.new_password.empty())
            return to_response(error::invalid("new_password", "New password cannot be empty"));
        a.off_thread([&a, body, v, reply]() {
            if (verify_password(v.u.password_hash, body.new_password))
                return reply(
                    to_response(error::invalid("new_password", "Cannot reuse old password")));
            auto hash = hash_password(body.new_password);
            if (!hash)
                return reply(hash_failed());
            a.with_store(reply, [&a, v, hash = std::move(*hash)](storage::store& st) -> response {
                auto u = service::perform_required_reset(st, v, hash, a.now());
                if (!u)
                    return to_response(u.err());
                return user_response(st, *u, false);
            });
        });
        return response::deferred();
    }};
}

// --- POST /users/{id}/require_password_reset ---------------------------------------

expected<session_job> require_password_reset(api& a, const request& req, const path_params& params,
                                             const responder&) {
    auto id = path_id(params, "id");
    if (!id)
        return id.err();
    auto require = decode_require_reset(req.body);
    if (!require)
        return require.err();
    return session_job{
        [&a, id = *id, require = *require](storage::store& st, const viewer& v) -> response {
            auto u = service::require_password_reset(st, v.u, id, require, a.now());
            if (!u)
                return to_response(u.err());
            return user_response(st, *u, false);
        }};
}

// --- POST /users/roles/spec ----------------------------------------------------------

expected<session_job> apply_user_roles(api& a, const request& req, const path_params&,
                                       const responder&) {
    auto spec = decode_user_roles_spec(req.body);
    if (!spec)
        return spec.err();
    return session_job{
        [&a, spec = std::move(*spec)](storage::store& st, const viewer& v) -> response {
            if (auto r = service::apply_user_roles(st, v.u, spec, a.now()); !r)
                return to_response(r.err());
            return response::empty_object();
        }};
}

// --- GET/DELETE /users/{id}/sessions ---------------------------------------------------

expected<session_job> user_sessions(api&, const request&, const path_params& params,
                                    const responder&) {
    auto id = path_id(params, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer& v) -> response {
        if (!service::may_manage_sessions(v.u, id))
            return to_response(authz::forbidden());
        if (auto u = st.user_by_id(id); !u)
            return to_response(u.err());
        auto sessions = st.user_sessions(id);
        if (!sessions)
            return to_response(sessions.err());
        bj::array out;
        for (const auto& s : *sessions)
            out.push_back(bj::object{{"session_id", s.id},
                                     {"user_id", s.user_id},
                                     {"created_at", format_rfc3339(s.created_at)}});
        return response::json(200, bj::object{{"sessions", std::move(out)}});
    }};
}

expected<session_job> delete_user_sessions(api&, const request&, const path_params& params,
                                           const responder&) {
    auto id = path_id(params, "id");
    if (!id)
        return id.err();
    return session_job{[id = *id](storage::store& st, const viewer& v) -> response {
        if (!service::may_manage_sessions(v.u, id))
            return to_response(authz::forbidden());
        if (auto u = st.user_by_id(id); !u)
            return to_response(u.err());
        if (auto r = st.delete_user_sessions(id, 0); !r)
            return to_response(r.err());
        return response::empty_object();
    }};
}

} // namespace handlers

} // namespace flotilla::http
