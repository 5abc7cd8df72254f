#include "service/agents.hpp"

#include "model/agent_config.hpp"
#include "model/app_config.hpp"
#include "model/secrets.hpp"
#include "storage/store.hpp"

#include <map>

namespace flotilla::service {

expected<enrollment> enroll_host(storage::store& st, const std::string& secret, const host& details,
                                 micros now) {
    auto out = enroll_hosts(st, {{secret, details}}, now);
    return std::move(out.front());
}

std::vector<expected<enrollment>> enroll_hosts(storage::store& st,
                                               const std::vector<enroll_input>& batch, micros now) {
    std::vector<expected<enrollment>> out(batch.size(), error::backend("not enrolled"));
    // Each distinct secret is looked up once.
    std::map<std::string, expected<enroll_secret>> secrets;
    std::vector<storage::host_store::enroll_request> requests;
    std::vector<std::size_t> index; // request → batch position
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& in = batch[i];
        auto it = secrets.find(in.secret);
        if (it == secrets.end())
            it = secrets
                     .emplace(in.secret,
                              in.secret.empty()
                                  ? expected<enroll_secret>(error::not_found("EnrollSecret", ""))
                                  : st.enroll_secret_by_value(in.secret))
                     .first;
        const auto& s = it->second;
        if (!s) {
            out[i] = s.err().code == errc::not_found
                         ? error{errc::node_invalid, "enroll failed: no matching secret found", {}}
                         : s.err();
            continue;
        }
        if (in.details.osquery_host_id.empty()) {
            out[i] = error{
                errc::node_invalid, "save enroll failed: missing osquery host identifier", {}};
            continue;
        }
        requests.push_back({in.details, random_base64(24), s->team_id});
        index.push_back(i);
    }
    if (requests.empty())
        return out;
    auto enrolled = st.enroll_hosts(requests, now);
    for (std::size_t k = 0; k < requests.size(); ++k) {
        if (!enrolled) {
            out[index[k]] = enrolled.err();
            continue;
        }
        auto& e = (*enrolled)[k];
        out[index[k]] = enrollment{std::move(e.h), std::move(requests[k].node_key),
                                   std::move(e.previous_node_key)};
    }
    return out;
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
