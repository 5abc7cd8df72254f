#pragma once
/// JSON helpers on Boost.JSON: parsing untrusted bodies into `expected`, and a
/// reader that checks field types and remembers the first mismatch, so request
/// decoding is a flat list of field reads followed by one error check.

#include "model/error.hpp"

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::json {

namespace bj = boost::json;

/// Parses a request body; an empty or malformed body is a bad_request.
expected<bj::value> parse(std::string_view body);

/// Parses a request body that must be a JSON object.
expected<bj::object> parse_object(std::string_view body);

/// Compact serialisation.
std::string dump(const bj::value& v);

/// Reads typed fields from an object. A missing key or JSON null reads as
/// "absent"; a present value of the wrong type records a bad_request error.
class reader {
public:
    explicit reader(const bj::object& obj, std::string context = {})
        : obj_(obj), context_(std::move(context)) {}

    std::optional<std::string> str(std::string_view key);
    std::optional<std::int64_t> int64(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    const bj::object* object(std::string_view key);
    const bj::array* array(std::string_view key);
    /// The raw value, any type (nullptr when absent).
    const bj::value* any(std::string_view key) const;
    bool has(std::string_view key) const { return obj_.contains(key); }

    /// The first type mismatch seen, if any.
    const std::optional<error>& failure() const { return failure_; }
    /// Records a custom decoding failure (first one wins).
    void fail(std::string reason);

private:
    const bj::value* get(std::string_view key) const;
    void mismatch(std::string_view key, std::string_view want);

    const bj::object& obj_;
    std::string context_;
    std::optional<error> failure_;
};

/// A JSON number as an int64: an integer in range, or a double with no fraction
/// in range; nullopt otherwise (never undefined behaviour).
std::optional<std::int64_t> to_int64(const bj::value& v);
/// A double with no fraction that fits an int64, as one; nullopt otherwise.
std::optional<std::int64_t> integral_double(const bj::value& v);
/// A whole decimal string (optional '-') that fits an int64; nullopt otherwise.
std::optional<std::int64_t> parse_int64(std::string_view s);

/// The JSON type name of a value, for error messages.
std::string_view kind_name(const bj::value& v);

} // namespace flotilla::json
