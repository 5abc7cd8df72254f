/// GET/POST /api/v1/fleet/spec/packs, GET /spec/packs/{name} (§3 Packs).

#include "http/query_params.hpp"
#include "http/spec_common.hpp"
#include "service/specs.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

} // namespace

namespace handlers {

expected<session_job> list_packs(api&, const request&, const path_params&, const responder&) {
    return session_job{[](storage::store& st, const viewer& v) -> response {
        auto packs = service::pack_specs(st, v.u);
        if (!packs)
            return to_response(packs.err());
        if (packs->empty())
            return response::json(200, bj::object{{"specs", nullptr}});
        bj::array specs;
        for (const auto& p : *packs)
            specs.push_back(to_json(p));
        return response::json(200, bj::object{{"specs", std::move(specs)}});
    }};
}

expected<session_job> get_pack(api&, const request&, const path_params& p, const responder&) {
    return session_job{
        [names = name_candidates(p.at("name"))](storage::store& st, const viewer& v) -> response {
            auto pack = first_found(names, [&](const std::string& n) {
                return service::pack_spec_by_name(st, v.u, n);
            });
            if (!pack)
                return to_response(pack.err());
            return response::json(200, bj::object{{"specs", to_json(*pack)}});
        }};
}

expected<session_job> apply_packs(api& a, const request& req, const path_params&,
                                  const responder&) {
    return decoded_job(
        req, decode_pack_specs,
        [&a](storage::store& st, const viewer& v, const std::vector<pack_spec>& specs) -> response {
            return applied(service::apply_pack_specs(st, v.u, specs, a.now()));
        });
}

} // namespace handlers

} // namespace flotilla::http
