#include "http/router.hpp"

#include <boost/url/parse.hpp>

namespace flotilla::http {

std::optional<std::vector<std::string>> decoded_segments(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed)
        return std::nullopt;
    std::vector<std::string> out;
    for (auto seg : parsed->segments())
        out.push_back(seg);
    return out;
}

void router::add(std::string method, const std::string& pattern, handler h) {
    // Patterns are our own literals ("{name}" is not valid URL syntax): split plainly.
    std::vector<std::string> segs;
    for (std::size_t start = 1; start <= pattern.size();) {
        auto slash = pattern.find('/', start);
        if (slash == std::string::npos)
            slash = pattern.size();
        segs.push_back(pattern.substr(start, slash - start));
        start = slash + 1;
    }
    routes_.push_back({std::move(method), std::move(segs), std::move(h)});
}

std::vector<std::pair<std::string, std::string>> router::routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(routes_.size());
    for (const auto& r : routes_) {
        std::string pattern;
        for (const auto& seg : r.segments)
            pattern += "/" + seg;
        out.emplace_back(r.method, std::move(pattern));
    }
    return out;
}

router::match router::find(std::string_view method, std::string_view target) const {
    match m;
    auto segs = decoded_segments(target);
    if (!segs) {
        m.failure = error::bad_request("malformed request target");
        return m;
    }
    bool path_known = false;
    for (const auto& r : routes_) {
        if (r.segments.size() != segs->size())
            continue;
        path_params params;
        bool ok = true;
        for (std::size_t i = 0; ok && i < segs->size(); ++i) {
            const auto& want = r.segments[i];
            if (want.size() > 2 && want.front() == '{' && want.back() == '}')
                params[want.substr(1, want.size() - 2)] = (*segs)[i];
            else
                ok = want == (*segs)[i];
        }
        if (!ok)
            continue;
        path_known = true;
        if (r.method == method) {
            m.target = &r.h;
            m.params = std::move(params);
            return m;
        }
    }
    m.failure = path_known ? error{errc::method_not_allowed, "Method Not Allowed", {}}
                           : error{errc::route_not_found, "404 page not found", {}};
    return m;
}

} // namespace flotilla::http
