#include "http/query_params.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <charconv>
#include <limits>

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

expected<service::list_options> query_params::list_options() const {
    service::list_options o;
    o.query = text("query").value_or("");
    o.order_key = text("order_key").value_or("");
    const auto dir = text("order_direction").value_or("asc");
    if (dir != "asc" && dir != "desc")
        return error::bad_request("unknown order_direction: " + dir);
    o.descending = dir == "desc";
    constexpr std::int64_t max_per_page = 10'000'000;
    auto page = number("page", 0, std::numeric_limits<std::int64_t>::max() / max_per_page);
    auto per_page = number("per_page", 1, max_per_page);
    if (!page)
        return page.err();
    if (!per_page)
        return per_page.err();
    o.page = page->value_or(0);
    o.per_page = *per_page;
    return o;
}

expected<std::optional<std::int64_t>> query_params::team_id() const {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    auto team = number("team_id", 0, max);
    if (!team)
        return team.err();
    auto fleet = number("fleet_id", 0, max);
    if (!fleet)
        return fleet.err();
    if (*team && *fleet && **team != **fleet)
        return error::bad_request("team_id and fleet_id name different teams");
    return *team ? *team : *fleet;
}

std::vector<std::string> name_candidates(const std::string& decoded) {
    std::vector<std::string> out{decoded};
    if (decoded.find('%') == std::string::npos)
        return out;
    auto escaped = boost::urls::make_pct_string_view(decoded);
    if (!escaped)
        return out;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = false; // a path: '+' is itself
    std::string twice = escaped->decode(opts);
    if (twice != decoded && valid_utf8(twice))
        out.push_back(std::move(twice));
    return out;
}

expected<std::int64_t> path_id(const path_params& p, const char* name) {
    const auto& text = p.at(name);
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size() || id < 0)
        return error::bad_request(std::string("invalid ") + name + " \"" + text + "\"");
    return id;
}

} // namespace flotilla::http
