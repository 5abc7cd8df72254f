/// GET/POST /api/v1/fleet/spec/enroll_secret (§3 Enroll secrets).

#include "http/rest_codec.hpp"
#include "http/spec_common.hpp"
#include "service/specs.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

namespace handlers {

expected<session_job> get_enroll_secrets(api&, const request&, const path_params&,
                                         const responder&) {
    return session_job{[](storage::store& st, const viewer& v) -> response {
        auto secrets = service::global_enroll_secrets(st, v.u);
        if (!secrets)
            return to_response(secrets.err());
        bj::value list = nullptr;
        if (!secrets->empty()) {
            bj::array arr;
            for (const auto& s : *secrets)
                arr.push_back(to_json(s));
            list = std::move(arr);
        }
        return response::json(200, bj::object{{"spec", bj::object{{"secrets", std::move(list)}}}});
    }};
}

expected<session_job> apply_enroll_secrets(api& a, const request& req, const path_params&,
                                           const responder&) {
    return decoded_job(req, decode_enroll_secrets,
                       [&a](storage::store& st, const viewer& v,
                            const std::vector<std::string>& secrets) -> response {
                           return applied(service::apply_enroll_secrets(st, v.u, secrets, a.now()));
                       });
}

} // namespace handlers

} // namespace flotilla::http
