#include "service/app_config.hpp"

#include "service/authz.hpp"
#include "storage/store.hpp"

namespace flotilla::service {

expected<app_config> current_app_config(storage::store& st) {
    return st.load_app_config();
}

expected<app_config> modify_app_config(storage::store& st, const user& by,
                                       const boost::json::object& patch, bool dry_run, bool force) {
    if (!authz::global_role_in(by, {role::admin}))
        return authz::forbidden();
    auto cfg = st.load_app_config();
    if (!cfg)
        return cfg.err();
    auto next = patch_app_config(*cfg, patch, force);
    if (!next || dry_run)
        return next;
    if (auto saved = st.save_app_config(*next); !saved)
        return saved.err();
    return next;
}

error live_queries_disabled() {
    return {errc::permission_denied, "forbidden", {{"base", "disabled by administrator"}}};
}

expected<void> live_queries_allowed(storage::store& st) {
    auto cfg = st.load_app_config();
    if (!cfg) // no config before setup: nothing disables them
        return cfg.err().code == errc::not_found ? expected<void>{} : expected<void>{cfg.err()};
    if (cfg->live_query_disabled())
        return live_queries_disabled();
    return {};
}

} // namespace flotilla::service
