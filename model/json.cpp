#include "model/json.hpp"

#include <charconv>
#include <cmath>

namespace flotilla::json {

namespace {

/// Boost.JSON reads a number too large for a double (1e999) as infinity, and
/// would serialise it as `Infinity`, which is not JSON; Go's decoder rejects it.
bool all_finite(const bj::value& v) {
    switch (v.kind()) {
    case bj::kind::double_:
        return std::isfinite(v.get_double());
    case bj::kind::array:
        for (const auto& e : v.get_array())
            if (!all_finite(e))
                return false;
        return true;
    case bj::kind::object:
        for (const auto& kv : v.get_object())
            if (!all_finite(kv.value()))
                return false;
        return true;
    default:
        return true;
    }
}

} // namespace

expected<bj::value> parse(std::string_view body) {
    if (body.empty())
        return error::bad_request("Expected JSON Body");
    boost::system::error_code ec;
    bj::value v = bj::parse(body, ec); // nesting is bounded (max_depth 32)
    if (ec)
        return error::bad_request("json decoder error: " + ec.message());
    if (!all_finite(v))
        return error::bad_request("json decoder error: number out of range");
    return v;
}

expected<bj::object> parse_object(std::string_view body) {
    auto v = parse(body);
    if (!v)
        return v.err();
    if (!v->is_object())
        return error::bad_request("json decoder error: expected a JSON object, got " +
                                  std::string(kind_name(*v)));
    return std::move(v->get_object());
}

std::string dump(const bj::value& v) {
    return bj::serialize(v);
}

std::optional<std::int64_t> integral_double(const bj::value& v) {
    if (!v.is_double())
        return std::nullopt;
    const double d = v.get_double();
    // [-2^63, 2^63): outside it the conversion to int64 is undefined.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::trunc(d))
        return std::nullopt;
    return static_cast<std::int64_t>(d);
}

std::optional<std::int64_t> to_int64(const bj::value& v) {
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX))
            return std::nullopt;
        return static_cast<std::int64_t>(v.get_uint64());
    }
    return integral_double(v);
}

std::optional<std::int64_t> parse_int64(std::string_view s) {
    std::int64_t v = 0;
    const char* last = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), last, v);
    if (s.empty() || ec != std::errc() || p != last)
        return std::nullopt;
    return v;
}

std::string_view kind_name(const bj::value& v) {
    switch (v.kind()) {
    case bj::kind::null:
        return "null";
    case bj::kind::bool_:
        return "bool";
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_:
        return "number";
    case bj::kind::string:
        return "string";
    case bj::kind::array:
        return "array";
    case bj::kind::object:
        return "object";
    }
    return "value";
}

const bj::value* reader::get(std::string_view key) const {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->value().is_null())
        return nullptr;
    return &it->value();
}

const bj::value* reader::any(std::string_view key) const {
    return get(key);
}

void reader::fail(std::string reason) {
    if (!failure_)
        failure_ = error::bad_request(std::move(reason));
}

void reader::mismatch(std::string_view key, std::string_view want) {
    std::string field = context_.empty() ? std::string(key) : context_ + "." + std::string(key);
    fail("json: cannot unmarshal " + std::string(kind_name(*get(key))) + " into field " + field +
         " of type " + std::string(want));
}

std::optional<std::string> reader::str(std::string_view key) {
    const bj::value* v = get(key);
    if (!v)
        return std::nullopt;
    if (!v->is_string()) {
        mismatch(key, "string");
        return std::nullopt;
    }
    return std::string(v->get_string());
}

std::optional<std::int64_t> reader::int64(std::string_view key) {
    const bj::value* v = get(key);
    if (!v)
        return std::nullopt;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    if (auto d = integral_double(*v))
        return *d;
    mismatch(key, "integer");
    return std::nullopt;
}

std::optional<bool> reader::boolean(std::string_view key) {
    const bj::value* v = get(key);
    if (!v)
        return std::nullopt;
    if (!v->is_bool()) {
        mismatch(key, "bool");
        return std::nullopt;
    }
    return v->get_bool();
}

const bj::object* reader::object(std::string_view key) {
    const bj::value* v = get(key);
    if (!v)
        return nullptr;
    if (!v->is_object()) {
        mismatch(key, "object");
        return nullptr;
    }
    return &v->get_object();
}

const bj::array* reader::array(std::string_view key) {
    const bj::value* v = get(key);
    if (!v)
        return nullptr;
    if (!v->is_array()) {
        mismatch(key, "array");
        return nullptr;
    }
    return &v->get_array();
}

} // namespace flotilla::json
