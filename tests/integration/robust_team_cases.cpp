/// The robustness cases of the teams routes (as /teams and as current Fleet's
/// /fleets), /spec/fleets and the host transfers. The baseline's second team,
/// rb-edit-team (id 2), is the one they change: rb-base-team (id 1) is a pack's
/// target, so renaming it would change a stored pack.

#include "tests/integration/robust_cases.hpp"

namespace flotilla::testing::robust {

namespace bj = boost::json;

std::vector<route_spec> team_routes(const std::string& fleet) {
    std::vector<route_spec> out;
    auto create = [](const context& c) {
        return bj::parse(R"({"name":"rb-team-)" + c.tag + R"(","description":"d"})");
    };
    auto modify = [](const context& c) {
        return bj::parse(R"({"name":"rb-edit-)" + c.tag + R"(","description":"d"})");
    };
    auto options = [](const context&) {
        return bj::parse(R"({"config":{"options":{"distributed_interval":10}}})");
    };
    auto secrets = [](const context& c) {
        return bj::parse(R"({"secrets":[{"secret":"rb-ts-)" + c.tag + R"("}]})");
    };
    // The admin has a global role: giving them a team role is refused (422).
    auto add_users = [](const context&) {
        return bj::parse(R"({"users":[{"id":1,"role":"observer"}]})");
    };
    auto remove_users = [](const context&) { return bj::parse(R"({"users":[{"id":1}]})"); };
    auto spec = [](const context& c) {
        return bj::parse(R"({"specs":[{"name":"rb-fleet-)" + c.tag +
                         R"(","agent_options":{"config":{}},"secrets":[{"secret":"rb-fs-)" + c.tag +
                         R"("}]}]})");
    };
    const route_spec::param_list base = {{"id", "1"}};
    const route_spec::param_list edit = {{"id", "2"}};
    for (const std::string noun : {"/teams", "/fleets"}) {
        const std::string p = fleet + noun;
        out.push_back({"GET", p});
        out.push_back({"POST", p, family::user, create});
        out.push_back({"GET", p + "/{id}", family::user, {}, {}, base});
        out.push_back({"PATCH", p + "/{id}", family::user, modify, {}, edit});
        // A valid request deletes the team the other cases change.
        out.push_back({"DELETE", p + "/{id}", family::user, {}, {}, edit, true});
        // Agent options are any JSON object the operator wants osquery to get.
        out.push_back({"POST", p + "/{id}/agent_options", family::user, options, {"config"}, edit});
        out.push_back({"GET", p + "/{id}/secrets", family::user, {}, {}, edit});
        out.push_back({"PATCH", p + "/{id}/secrets", family::user, secrets, {}, edit});
        out.push_back({"GET", p + "/{id}/users", family::user, {}, {}, edit});
        out.push_back({"PATCH", p + "/{id}/users", family::user, add_users, {}, edit});
        // The admin has no role on the team to lose: accepted, and nothing changes.
        out.push_back({"DELETE", p + "/{id}/users", family::user, remove_users, {}, edit});
    }
    out.push_back({"POST", fleet + "/spec/fleets", family::user, spec, {"specs[].agent_options"}});
    // Moves the barrage's agent to rb-edit-team (or, with a null team, to no
    // team); host ids that match nothing and labels without hosts move nothing.
    auto transfer = [](const context& c) {
        return bj::parse(R"({"team_id":2,"hosts":[)" + std::to_string(c.host_id) + "]}");
    };
    auto by_filter = [](const context& c) {
        return bj::parse(R"({"team_id":2,"filters":{"query":"rb-nomatch-)" + c.tag +
                         R"(","status":"","label_id":6}})");
    };
    out.push_back({"POST", fleet + "/hosts/transfer", family::user, transfer, {"hosts[]#number"}});
    out.push_back({"POST",
                   fleet + "/hosts/transfer/filter",
                   family::user,
                   by_filter,
                   {"filters.label_id#number"}});
    return out;
}

} // namespace flotilla::testing::robust
