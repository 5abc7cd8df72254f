#include "service/agents.hpp"

#include "model/agent_config.hpp"
#include "model/app_config.hpp"
#include "model/secrets.hpp"
#include "storage/store.hpp"

namespace flotilla::service {

expected<enrollment> enroll_host(storage::store& st, const std::string& secret, const host& details,
                                 micros now) {
    auto s = secret.empty() ? expected<enroll_secret>(error::not_found("EnrollSecret", ""))
                            : st.enroll_secret_by_value(secret);
    if (!s)
        return s.err().code == errc::not_found
                   ? error{errc::node_invalid, "enroll failed: no matching secret found", {}}
                   : s.err();
    if (details.osquery_host_id.empty())
        return error{errc::node_invalid, "save enroll failed: missing osquery host identifier", {}};
    std::string node_key = random_base64(24);
    auto enrolled = st.enroll_host(details, node_key, s->team_id, now);
    if (!enrolled)
        return enrolled.err();
    return enrollment{std::move(enrolled->h), std::move(node_key),
                      std::move(enrolled->previous_node_key)};
}

expected<boost::json::value> agent_config(storage::store& st, std::int64_t host_id,
                                          std::optional<std::int64_t> team_id,
                                          const std::string& platform) {
    std::optional<boost::json::value> options;
    if (team_id)
        if (auto t = st.team_by_id(*team_id); t && t->agent_options &&
                                              t->agent_options->is_object() &&
                                              !t->agent_options->get_object().empty())
            options = t->agent_options;
    if (!options) {
        auto cfg = st.load_app_config();
        options = cfg ? cfg->agent_options() : default_agent_options();
    }
    auto packs = st.packs_for_host(host_id, team_id);
    if (!packs)
        return packs.err();
    return build_agent_config(*options, platform, *packs);
}

} // namespace flotilla::service
