#pragma once
/// What every spec handler shares: decode the body first (malformed → 400,
/// even without a token, as Fleet), then authenticate, then hand the specs to
/// service/specs.hpp (authorize, validate every spec, apply in one transaction).

#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "model/json.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

/// Decodes the body with `decode` (a function of the body object); the job then
/// runs `fn(store, viewer, decoded)` once the session is checked.
template <class Decode, class Fn>
expected<session_job> decoded_job(const request& req, Decode decode, Fn fn) {
    auto body = json::parse_object(req.body);
    if (!body)
        return body.err();
    auto decoded = decode(*body);
    if (!decoded)
        return decoded.err();
    return session_job{
        [fn = std::move(fn), specs = std::move(*decoded)](
            storage::store& st, const viewer& v) -> response { return fn(st, v, specs); }};
}

/// 200 `{}` on success, the mapped error otherwise.
inline response applied(const expected<void>& r) {
    return r ? response::empty_object() : to_response(r.err());
}

} // namespace flotilla::http
