/// GET/POST /api/v1/fleet/spec/enroll_secret (§3 Enroll secrets).

#include "http/rest_codec.hpp"
#include "http/spec_common.hpp"
#include "model/text.hpp"
#include "service/authz.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

namespace handlers {

expected<session_job> get_enroll_secrets(api&, const request&, const path_params&,
                                         const responder&) {
    return session_job{[](storage::store& st, const viewer& v) -> response {
        if (!authz::global_writer(v.u))
            return to_response(authz::forbidden());
        auto secrets = st.global_enroll_secrets();
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
                           if (!authz::global_writer(v.u))
                               return to_response(authz::forbidden());
                           std::vector<field_error> errors;
                           for (const auto& s : secrets)
                               if (s.empty())
                                   errors.push_back({"secrets", "enroll secret cannot be empty"});
                               else
                                   check_length(errors, "secrets", s, "enroll secret");
                           if (!errors.empty())
                               return to_response({errc::invalid_argument, "Validation Failed",
                                                   std::move(errors)});
                           return applied(st.apply_global_enroll_secrets(secrets, a.now()));
                       });
}

} // namespace handlers

} // namespace flotilla::http
