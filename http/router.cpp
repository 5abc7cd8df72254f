#include "http/router.hpp"

#include <boost/url/parse.hpp>
#include <cstdint>

namespace flotilla::http {

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            n = 1;
            cp = b & 0x1f;
        } else if ((b & 0xf0) == 0xe0) {
            n = 2;
            cp = b & 0x0f;
        } else if ((b & 0xf8) == 0xf0) {
            n = 3;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size())
            return false; // truncated
        for (std::size_t k = 1; k <= n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (c & 0x3f);
        }
        static constexpr std::uint32_t min_of[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_of[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

std::optional<std::vector<std::string>> decoded_segments(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed)
        return std::nullopt;
    std::vector<std::string> out;
    for (auto seg : parsed->segments()) {
        // Parameters reach stores and error messages: bytes that are not UTF-8
        // make the target malformed.
        if (!valid_utf8(seg))
            return std::nullopt;
        out.push_back(seg);
    }
    return out;
}

void router::add(std::string method, const std::string& pattern, handler h, gate when) {
    // Patterns are our own literals ("{name}" is not valid URL syntax): split plainly.
    std::vector<std::string> segs;
    for (std::size_t start = 1; start <= pattern.size();) {
        auto slash = pattern.find('/', start);
        if (slash == std::string::npos)
            slash = pattern.size();
        segs.push_back(pattern.substr(start, slash - start));
        start = slash + 1;
    }
    routes_.push_back({std::move(method), std::move(segs), std::move(h), when});
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
        if (!m.when)
            m.when = r.when;
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
