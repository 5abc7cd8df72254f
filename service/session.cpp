#include "service/session.hpp"

#include "model/secrets.hpp"
#include "storage/store.hpp"

namespace flotilla::service {

namespace {

/// How often a session in use is written back as used.
constexpr micros touch_every = seconds_to_micros(60);

} // namespace

expected<viewer> authenticate(storage::store& st, std::string_view token, micros now) {
    const error denied{errc::bad_token, "Authentication required", {}};
    if (token.empty())
        return denied;
    const std::string digest = digest_hex(token);
    auto sess = st.session_by_digest(digest);
    if (!sess)
        return sess.err().code == errc::not_found ? denied : sess.err();
    if (!constant_time_equal(sess->key_digest, digest))
        return denied;
    if (now - sess->accessed_at > session_idle_lifetime) {
        (void)st.delete_session(sess->id);
        return denied;
    }
    if (now - sess->accessed_at > touch_every && st.touch_session(sess->id, now))
        sess->accessed_at = now;
    auto u = st.user_by_id(sess->user_id);
    if (!u)
        return u.err().code == errc::not_found ? denied : u.err();
    return viewer{std::move(*u), std::move(*sess)};
}

} // namespace flotilla::service
