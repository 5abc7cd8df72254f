#pragma once
/// What every spec handler shares: decode the body first (malformed → 400,
/// even without a token, as Fleet), then authenticate, authorize, validate
/// every spec (422 listing every fault), and apply in one transaction.

#include "http/api.hpp"
#include "http/errors.hpp"
#include "model/json.hpp"

#include <boost/json.hpp>
#include <vector>

namespace flotilla::http {

/// Decodes the body with `decode` (a function of the body object), then runs
/// `fn(store, viewer, decoded)` authenticated on the persistence actor.
template <class Decode, class Fn>
void decoded_and_authenticated(api& a, const request& req, responder reply, Decode decode, Fn fn) {
    auto body = json::parse_object(req.body);
    if (!body)
        return reply(to_response(body.err()));
    auto decoded = decode(*body);
    if (!decoded)
        return reply(to_response(decoded.err()));
    a.authenticated(req, std::move(reply),
                    [fn = std::move(fn), specs = std::move(*decoded)](storage::store& st,
                                                                      const viewer& v) -> response {
                        return fn(st, v, specs);
                    });
}

/// Every spec's field errors, or nullopt when all are valid.
template <class Spec> std::optional<error> validate_all(const std::vector<Spec>& specs) {
    std::vector<field_error> errors;
    for (const auto& s : specs)
        for (auto& e : validate(s))
            errors.push_back(std::move(e));
    if (errors.empty())
        return std::nullopt;
    return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
}

/// 200 `{}` on success, the mapped error otherwise.
inline response applied(const expected<void>& r) {
    return r ? response::empty_object() : to_response(r.err());
}

} // namespace flotilla::http
