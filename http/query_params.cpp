#include "http/query_params.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

namespace flotilla::http {

expected<query_params> query_params::of(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed)
        return error::bad_request("malformed request target");
    query_params out;
    for (auto p : parsed->params())
        out.params_.emplace_back(p.key, p.has_value ? p.value : std::string());
    return out;
}

std::optional<std::string> query_params::text(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [k, v] : params_)
        if (k == name)
            found = v;
    return found;
}

expected<bool> query_params::flag(std::string_view name, bool fallback) const {
    auto v = text(name);
    if (!v)
        return fallback;
    static constexpr std::string_view yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static constexpr std::string_view no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (auto y : yes)
        if (*v == y)
            return true;
    for (auto n : no)
        if (*v == n)
            return false;
    return error::bad_request("invalid value for query parameter \"" + std::string(name) +
                              "\": must be a boolean");
}

expected<std::optional<std::int64_t>> query_params::number(std::string_view name, std::int64_t min,
                                                           std::int64_t max) const {
    auto v = text(name);
    if (!v)
        return std::optional<std::int64_t>{};
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || end != v->data() + v->size() || n < min || n > max)
        return error::bad_request("invalid value for query parameter \"" + std::string(name) +
                                  "\": must be a whole number from " + std::to_string(min) +
                                  " to " + std::to_string(max));
    return std::optional<std::int64_t>{n};
}

} // namespace flotilla::http
