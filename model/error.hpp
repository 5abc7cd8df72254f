#pragma once
/// Design: one error vocabulary for every layer. Storage and actors return
/// `expected<T>`; exactly one function in http/ maps an `errc` to a status and
/// Fleet's JSON envelope, so no handler ever picks a status code itself.

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace flotilla {

/// What went wrong, independent of transport.
enum class errc {
    invalid_argument,   ///< field validation failed (422 "Validation Failed")
    bad_request,        ///< malformed body, missing key, wrong type (400)
    not_found,          ///< a named or numbered thing does not exist (404)
    already_exists,     ///< a unique key is taken (409)
    permission_denied,  ///< the caller's role forbids the action (403)
    missing_token,      ///< no usable Authorization header (401)
    bad_token,          ///< unknown or expired session token (401)
    login_failed,       ///< wrong email or password (401)
    reset_required,     ///< an admin required a new password first (401 "password reset required")
    rate_limited,       ///< too many attempts from one client (429)
    node_invalid,       ///< osquery node key missing or unknown (401, osquery body)
    payload_too_large,  ///< request body over the limit (413)
    route_not_found,    ///< no route for the path (404)
    method_not_allowed, ///< route exists, method does not (405)
    backend_failure,    ///< the store or another component failed (500)
    unavailable,        ///< the store is down or reconnecting; try again later (503)
    timeout,            ///< an internal deadline passed (500)
};

/// One offending field: `name` is the field (or "base"), `reason` the text.
struct field_error {
    std::string name;
    std::string reason;
};

/// An error value: code, message and optional per-field details.
struct error {
    errc code = errc::backend_failure;
    std::string message;
    std::vector<field_error> fields;
    int retry_after_seconds = 0; ///< only for rate_limited

    static error invalid(std::string field, std::string reason) {
        return {
            errc::invalid_argument, "Validation Failed", {{std::move(field), std::move(reason)}}};
    }
    static error bad_request(std::string reason) {
        return {errc::bad_request, std::move(reason), {}};
    }
    static error not_found(const std::string& kind, const std::string& name) {
        return {errc::not_found, kind + " " + name + " was not found in the datastore", {}};
    }
    static error backend(std::string reason) {
        return {errc::backend_failure, std::move(reason), {}};
    }
    static error unavailable(std::string reason) {
        return {errc::unavailable, std::move(reason), {}};
    }
};

/// Either a value or an error (std::expected is C++23; this is the subset we use).
template <class T> class expected {
public:
    expected(T value) : v_(std::move(value)) {}
    expected(error e) : v_(std::move(e)) {}

    explicit operator bool() const { return v_.index() == 0; }
    bool has_value() const { return v_.index() == 0; }
    T& operator*() { return std::get<0>(v_); }
    const T& operator*() const { return std::get<0>(v_); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T& value() { return std::get<0>(v_); }
    const error& err() const { return std::get<1>(v_); }

private:
    std::variant<T, error> v_;
};

/// The result of an operation that returns nothing but may fail.
template <> class expected<void> {
public:
    expected() = default;
    expected(error e) : e_(std::move(e)) {}
    explicit operator bool() const { return !e_; }
    bool has_value() const { return !e_; }
    const error& err() const { return *e_; }

private:
    std::optional<error> e_;
};

} // namespace flotilla
