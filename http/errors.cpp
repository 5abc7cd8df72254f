#include "http/errors.hpp"

#include <boost/json.hpp>

namespace flotilla::http {

int status_of(errc code) {
    switch (code) {
    case errc::invalid_argument:
        return 422;
    case errc::bad_request:
        return 400;
    case errc::not_found:
    case errc::route_not_found:
        return 404;
    case errc::already_exists:
        return 409;
    case errc::permission_denied:
        return 403;
    case errc::missing_token:
    case errc::bad_token:
    case errc::login_failed:
    case errc::reset_required:
    case errc::node_invalid:
        return 401;
    case errc::rate_limited:
        return 429;
    case errc::payload_too_large:
        return 413;
    case errc::method_not_allowed:
        return 405;
    case errc::backend_failure:
    case errc::timeout:
        return 500;
    case errc::unavailable:
        return 503;
    }
    return 500;
}

namespace {

/// The envelope message Fleet uses for each class; "" means "the error's own".
std::string envelope_message(const error& e) {
    switch (e.code) {
    case errc::invalid_argument:
        return "Validation Failed";
    case errc::bad_request:
        return "Bad request";
    case errc::not_found:
    case errc::route_not_found:
        return "Resource Not Found";
    case errc::already_exists:
        return "Resource Already Exists";
    case errc::permission_denied:
        return "forbidden";
    case errc::missing_token:
        return "Authorization header required";
    case errc::bad_token:
        return "Authentication required";
    case errc::login_failed:
        return "Authentication failed";
    case errc::reset_required:
        return "password reset required";
    case errc::rate_limited:
        return "limit exceeded, retry after: " + std::to_string(e.retry_after_seconds) + "s";
    case errc::payload_too_large:
        return "Request Entity Too Large";
    case errc::method_not_allowed:
        return "Method Not Allowed";
    default:
        return e.message;
    }
}

} // namespace

response to_response(const error& e) {
    const int status = status_of(e.code);
    if (e.code == errc::node_invalid)
        return response::json(status,
                              boost::json::object{{"error", e.message}, {"node_invalid", true}});

    const std::string message = envelope_message(e);
    boost::json::array errors;
    for (const auto& f : e.fields)
        errors.push_back(boost::json::object{{"name", f.name}, {"reason", f.reason}});
    if (errors.empty()) {
        // The base reason: the error's own text, or the envelope message.
        std::string reason = e.message.empty() ? message : e.message;
        if (e.code == errc::permission_denied)
            reason = "forbidden";
        errors.push_back(boost::json::object{{"name", "base"}, {"reason", reason}});
    }
    auto r = response::json(status, boost::json::object{{"message", message}, {"errors", errors}});
    if (e.code == errc::rate_limited)
        r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_seconds));
    return r;
}

} // namespace flotilla::http
