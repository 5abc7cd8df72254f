#include "service/hosts.hpp"

#include "storage/store.hpp"

namespace flotilla::service {

expected<std::optional<micros>> host_expiry_cutoff(storage::store& st, micros now) {
    auto cfg = st.load_app_config();
    if (!cfg)
        return cfg.err().code == errc::not_found ? expected<std::optional<micros>>{std::nullopt}
                                                 : expected<std::optional<micros>>{cfg.err()};
    const auto days = cfg->host_expiry_window_days();
    if (!cfg->host_expiry_enabled() || days <= 0)
        return std::optional<micros>{};
    constexpr micros day = 86'400LL * 1'000'000;
    const micros window = days > (now / day) + 1 ? now : days * day; // no overflow
    return std::optional<micros>{now - window};
}

expected<void> delete_hosts(storage::store& st, const std::vector<std::int64_t>& ids) {
    return st.delete_hosts(ids);
}

} // namespace flotilla::service
