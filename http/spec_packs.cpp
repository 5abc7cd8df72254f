/// GET/POST /api/v1/fleet/spec/packs, GET /spec/packs/{name} (§3 Packs).

#include "http/authz.hpp"
#include "http/spec_common.hpp"

namespace flotilla::http {
namespace {

namespace bj = boost::json;

/// Global admins and maintainers; team admins and maintainers may read.
bool may_read_packs(const user& u) {
    return authz::global_writer(u) || authz::any_team_role_in(u, {role::admin, role::maintainer});
}

void list_packs(api& a, const request& req, responder reply) {
    a.authenticated(req, std::move(reply), [](storage::store& st, const viewer& v) -> response {
        if (!may_read_packs(v.u))
            return to_response(authz::forbidden());
        auto packs = st.pack_specs();
        if (!packs)
            return to_response(packs.err());
        if (packs->empty())
            return response::json(200, bj::object{{"specs", nullptr}});
        bj::array specs;
        for (const auto& p : *packs)
            specs.push_back(to_json(p));
        return response::json(200, bj::object{{"specs", std::move(specs)}});
    });
}

void get_pack(api& a, const request& req, const path_params& p, responder reply) {
    a.authenticated(req, std::move(reply),
                    [name = p.at("name")](storage::store& st, const viewer& v) -> response {
                        if (!may_read_packs(v.u))
                            return to_response(authz::forbidden());
                        auto pack = st.pack_spec_by_name(name);
                        if (!pack)
                            return to_response(pack.err());
                        return response::json(200, bj::object{{"specs", to_json(*pack)}});
                    });
}

void apply_packs(api& a, const request& req, responder reply) {
    decoded_and_authenticated(
        a, req, std::move(reply), decode_pack_specs,
        [&a](storage::store& st, const viewer& v, const std::vector<pack_spec>& specs) -> response {
            if (!authz::global_writer(v.u))
                return to_response(authz::forbidden());
            if (auto invalid = validate_all(specs))
                return to_response(*invalid);
            return applied(st.apply_pack_specs(specs, a.now()));
        });
}

} // namespace

void add_pack_spec_routes(api& a, router& r) {
    for (const std::string prefix : {"/api/v1/fleet", "/api/latest/fleet"}) {
        r.add("GET", prefix + "/spec/packs",
              [&a](auto& req, auto&, auto reply) { list_packs(a, req, reply); });
        r.add("POST", prefix + "/spec/packs",
              [&a](auto& req, auto&, auto reply) { apply_packs(a, req, reply); });
        r.add("GET", prefix + "/spec/packs/{name}",
              [&a](auto& req, auto& p, auto reply) { get_pack(a, req, p, reply); });
    }
}

} // namespace flotilla::http
