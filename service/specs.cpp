#include "service/specs.hpp"

#include <boost/json.hpp>

#include "model/app_config.hpp"
#include "model/text.hpp"
#include "service/activities.hpp"
#include "service/authz.hpp"
#include "storage/store.hpp"

namespace flotilla::service {
namespace {

/// Every spec's field errors as one 422, or success when all are valid.
template <class Spec> expected<void> validate_all(const std::vector<Spec>& specs) {
    std::vector<field_error> errors;
    for (const auto& s : specs)
        for (auto& e : validate(s))
            errors.push_back(std::move(e));
    if (errors.empty())
        return {};
    return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
}

/// Applies in one transaction with the activity that records it.
template <class Apply>
expected<void> applied_with_activity(storage::store& st, const user& by, const char* type,
                                     boost::json::object details, micros now, Apply&& apply) {
    return st.transaction([&]() -> expected<void> {
        if (auto r = apply(); !r)
            return r;
        return record_activity(st, by, type, std::move(details), now);
    });
}

/// `{"<key>": [names...]}` of the specs applied.
template <class Spec>
boost::json::object names_of(const char* key, const std::vector<Spec>& specs) {
    boost::json::array names;
    for (const auto& s : specs)
        names.emplace_back(s.name);
    return {{key, std::move(names)}};
}

bool may_read_packs(const user& u) {
    return authz::global_writer(u) || authz::any_team_role_in(u, {role::admin, role::maintainer});
}

} // namespace

expected<void> apply_query_specs(storage::store& st, const user& by,
                                 const std::vector<query_spec>& specs, micros now) {
    if (!authz::global_writer(by) && !authz::any_team_role_in(by, {role::admin, role::maintainer}))
        return authz::forbidden();
    if (auto valid = validate_all(specs); !valid)
        return valid;
    boost::json::array applied;
    for (const auto& q : specs) {
        boost::json::object o{{"name", q.name}, {"query", q.query}};
        if (!q.description.empty())
            o["description"] = q.description;
        applied.push_back(std::move(o));
    }
    return applied_with_activity(st, by, "applied_spec_saved_query",
                                 {{"specs", std::move(applied)}}, now,
                                 [&] { return st.apply_query_specs(specs, by.id, now); });
}

expected<void> apply_label_specs(storage::store& st, const user& by,
                                 const std::vector<label_spec>& specs, micros now) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    if (auto valid = validate_all(specs); !valid)
        return valid;
    return applied_with_activity(st, by, "applied_spec_label", names_of("labels", specs), now,
                                 [&] { return st.apply_label_specs(specs, now); });
}

expected<void> apply_policy_specs(storage::store& st, const user& by,
                                  const std::vector<policy_spec>& specs, micros now) {
    if (!authz::global_writer(by)) {
        for (const auto& s : specs) {
            if (s.team.empty())
                return authz::forbidden();
            auto t = st.team_by_name(s.team);
            if (t && !authz::role_on_team_in(by, t->id, {role::admin, role::maintainer}))
                return authz::forbidden();
            if (!t && !authz::any_team_role_in(by, {role::admin, role::maintainer}))
                return authz::forbidden();
        }
    }
    if (auto valid = validate_all(specs); !valid)
        return valid;
    return applied_with_activity(st, by, "applied_spec_policy", names_of("policies", specs), now,
                                 [&] { return st.apply_policy_specs(specs, by.id, now); });
}

expected<void> apply_pack_specs(storage::store& st, const user& by,
                                const std::vector<pack_spec>& specs, micros now) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    if (auto valid = validate_all(specs); !valid)
        return valid;
    return applied_with_activity(st, by, "applied_spec_pack", {}, now,
                                 [&] { return st.apply_pack_specs(specs, now); });
}

expected<void> apply_team_specs(storage::store& st, const user& by,
                                const std::vector<team_spec>& specs, micros now) {
    if (!authz::global_role_in(by, {role::admin})) {
        for (const auto& s : specs) {
            auto t = st.team_by_name(s.name);
            if (!t || !authz::role_on_team_in(by, t->id, {role::admin}))
                return authz::forbidden();
        }
    }
    if (auto valid = validate_all(specs); !valid)
        return valid;
    auto cfg = st.load_app_config();
    const auto global = cfg ? cfg->agent_options() : default_agent_options();
    return applied_with_activity(st, by, "applied_spec_team", names_of("teams", specs), now,
                                 [&] { return st.apply_team_specs(specs, global, now); });
}

expected<void> apply_enroll_secrets(storage::store& st, const user& by,
                                    const std::vector<std::string>& secrets, micros now) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    std::vector<field_error> errors;
    for (const auto& s : secrets)
        if (s.empty())
            errors.push_back({"secrets", "enroll secret cannot be empty"});
        else
            check_length(errors, "secrets", s, "enroll secret");
    if (!errors.empty())
        return error{errc::invalid_argument, "Validation Failed", std::move(errors)};
    return applied_with_activity(st, by, "applied_spec_enroll_secret", {}, now,
                                 [&] { return st.apply_global_enroll_secrets(secrets, now); });
}

expected<std::vector<enroll_secret>> global_enroll_secrets(storage::store& st, const user& by) {
    if (!authz::global_writer(by))
        return authz::forbidden();
    return st.global_enroll_secrets();
}

expected<std::vector<pack_spec>> pack_specs(storage::store& st, const user& by) {
    if (!may_read_packs(by))
        return authz::forbidden();
    return st.pack_specs();
}

expected<pack_spec> pack_spec_by_name(storage::store& st, const user& by, const std::string& name) {
    if (!may_read_packs(by))
        return authz::forbidden();
    return st.pack_spec_by_name(name);
}

} // namespace flotilla::service
