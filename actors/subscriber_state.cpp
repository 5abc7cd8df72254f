#include "actors/subscriber_state.hpp"

#include "model/json.hpp"

#include <boost/json.hpp>
#include <vector>

namespace flotilla::actors {

namespace bj = boost::json;
using phase = subscriber_phase;
using kind = subscriber_step::kind;

subscriber_step subscriber_machine::on_text(std::string_view text) {
    if (at_ == phase::closed || at_ == phase::streaming)
        return {}; // nothing more is expected from the client
    boost::system::error_code ec;
    bj::value v = bj::parse(text, ec);
    std::vector<bj::object> msgs;
    if (!ec && v.is_object()) {
        msgs.push_back(std::move(v.get_object()));
    } else if (!ec && v.is_array()) {
        for (auto& e : v.get_array()) {
            if (e.is_object())
                msgs.push_back(std::move(e.get_object()));
            else
                ec = bj::error::syntax;
        }
    }
    if (ec || msgs.empty()) {
        if (at_ == phase::auth || at_ == phase::authenticating)
            return fail(std::nullopt);
        return fail("error reading select_campaign");
    }
    for (auto& msg : msgs)
        waiting_.push_back(std::move(msg));
    return next();
}

subscriber_step subscriber_machine::on_auth_result(std::optional<user> u) {
    if (at_ != phase::authenticating)
        return {};
    if (!u || u->force_password_reset)
        return fail("unauthorized");
    viewer_ = std::move(u);
    at_ = phase::select;
    return next();
}

void subscriber_machine::on_streaming() {
    if (at_ != phase::closed)
        at_ = phase::streaming;
}

bool subscriber_machine::close() {
    if (at_ == phase::closed)
        return false;
    at_ = phase::closed;
    waiting_.clear();
    return true;
}

subscriber_step subscriber_machine::next() {
    if (waiting_.empty() || (at_ != phase::auth && at_ != phase::select))
        return {};
    bj::object msg = std::move(waiting_.front());
    waiting_.pop_front();
    return at_ == phase::auth ? on_auth(msg) : on_select(msg);
}

subscriber_step subscriber_machine::fail(std::optional<std::string> message) {
    if (!close())
        return {};
    return {kind::close, std::move(message), {}, 0};
}

subscriber_step subscriber_machine::on_auth(const bj::object& msg) {
    const bj::value* type = msg.if_contains("type");
    if (!type || *type != "auth")
        return fail(std::nullopt); // Fleet closes without a message
    std::string token;
    if (const auto* data = msg.if_contains("data"); data && data->is_object())
        if (const auto* t = data->get_object().if_contains("token"); t && t->is_string())
            token = std::string(t->get_string());
    at_ = phase::authenticating;
    return {kind::authenticate, std::nullopt, std::move(token), 0};
}

subscriber_step subscriber_machine::on_select(const bj::object& msg) {
    const bj::value* type = msg.if_contains("type");
    if (!type || *type != "select_campaign")
        return fail("expected select_campaign");
    std::int64_t id = 0;
    if (const auto* data = msg.if_contains("data")) {
        if (!data->is_object())
            return fail("error unmarshaling select_campaign data");
        if (const auto* cid = data->get_object().if_contains("campaign_id")) {
            if (cid->is_int64() || cid->is_uint64()) {
                auto n = json::to_int64(*cid);
                if (!n)
                    return fail("error unmarshaling select_campaign data");
                id = *n;
            } else if (!cid->is_null()) {
                return fail("error unmarshaling select_campaign data");
            }
        }
    }
    if (id <= 0)
        return fail("0 is not a valid campaign ID");
    if (!viewer_->global_role && viewer_->teams.empty())
        return fail("forbidden");
    at_ = phase::selecting;
    return {kind::find_campaign, std::nullopt, {}, id};
}

} // namespace flotilla::actors
