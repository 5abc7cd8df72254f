#pragma once
/// The store implementation shared by both backends, written against `db`.
/// One .cpp per aggregate implements its part of this class.

#include "storage/db.hpp"
#include "storage/store.hpp"

#include <memory>

namespace flotilla::storage {

class sql_store final : public store {
public:
    explicit sql_store(std::unique_ptr<db> d) : db_(std::move(d)) {}

    // transactions and health
    expected<void> transaction(const std::function<expected<void>()>& fn) override;
    expected<void> ping() override;
    std::string backend_name() const override;

    // users
    expected<std::int64_t> count_users() override;
    expected<user> new_user(user u, micros now) override;
    expected<user> user_by_email(const std::string& email) override;
    expected<user> user_by_id(std::int64_t id) override;

    // sessions
    expected<session> new_session(std::int64_t user_id, const std::string& key_digest,
                                  micros now) override;
    expected<session> session_by_digest(const std::string& key_digest) override;
    expected<void> touch_session(std::int64_t id, micros now) override;
    expected<void> delete_session(std::int64_t id) override;
    expected<std::int64_t> delete_expired_sessions(micros now) override;

    // app config
    expected<app_config> load_app_config() override;
    expected<void> save_app_config(const app_config& cfg) override;

    // enroll secrets
    expected<std::vector<enroll_secret>> global_enroll_secrets() override;
    expected<void> apply_global_enroll_secrets(const std::vector<std::string>& secrets,
                                               micros now) override;
    expected<enroll_secret> enroll_secret_by_value(const std::string& secret) override;

private:
    /// Runs `fn`, translating driver exceptions into errors.
    template <class F> auto guarded(F&& fn) -> decltype(fn());

    std::unique_ptr<db> db_;
    int tx_depth_ = 0;
};

/// Translates a driver failure into the error vocabulary.
error translate(const db_error& e);

} // namespace flotilla::storage
