#include "http/sockjs_sessions.hpp"

#include "actors/subscriber_actor.hpp"
#include "http/errors.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

namespace flotilla::http {

namespace bj = boost::json;

namespace {

response frame(std::string body) {
    response r;
    r.body = std::move(body);
    r.content_type = "application/javascript; charset=UTF-8";
    r.headers.emplace_back("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0");
    return r;
}

} // namespace

void sockjs_sessions::flush(const std::string& id, session& s) {
    if (!s.pending) {
        if (s.heartbeat_due && ++s.heartbeats_unpolled >= 2) { // nobody polls: abandoned
            s.heartbeat_due = false;
            caf::anon_send_exit(s.subscriber, caf::exit_reason::user_shutdown);
            std::lock_guard lock(mu_);
            sessions_.erase(id);
        }
        return;
    }
    s.heartbeats_unpolled = 0;
    std::string body;
    if (!s.queue.empty()) {
        bj::array msgs;
        for (auto& m : s.queue)
            msgs.emplace_back(m);
        s.queue.clear();
        body = "a" + bj::serialize(msgs) + "\n";
    } else if (s.closed) {
        body = "c[3000,\"Go away!\"]\n";
        caf::anon_send_exit(s.subscriber, caf::exit_reason::user_shutdown);
        std::lock_guard lock(mu_);
        sessions_.erase(id);
    } else if (s.heartbeat_due) {
        body = "h\n";
    } else {
        return;
    }
    s.heartbeat_due = false;
    auto reply = std::move(*s.pending);
    s.pending.reset();
    reply(frame(std::move(body)));
}

void sockjs_sessions::poll(const std::string& id, responder reply, const spawn_fn& spawn) {
    std::shared_ptr<session> s;
    {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(id);
        if (it == sessions_.end()) {
            s = std::make_shared<session>();
            sessions_.emplace(id, s);
        } else {
            s = it->second;
        }
    }
    std::lock_guard lock(s->mu);
    if (!s->subscriber) {
        std::weak_ptr<session> weak = s;
        auto with = [this, weak, id](auto fn) {
            if (auto live = weak.lock()) {
                std::lock_guard l(live->mu);
                fn(*live);
                flush(id, *live);
            }
        };
        s->subscriber = spawn(
            [with](std::string t) { with([&](session& x) { x.queue.push_back(std::move(t)); }); },
            [with] { with([](session& x) { x.closed = true; }); },
            [with] { with([](session& x) { x.heartbeat_due = true; }); });
        return reply(frame("o\n"));
    }
    if (s->pending)
        return reply(frame("c[2010,\"Another connection still open\"]\n"));
    s->pending = std::move(reply);
    flush(id, *s);
}

response sockjs_sessions::send(const std::string& id, const std::string& body) {
    std::shared_ptr<session> s;
    {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(id);
        if (it == sessions_.end())
            return to_response(error::not_found("SockJS session", id));
        s = it->second;
    }
    boost::system::error_code ec;
    auto v = bj::parse(body, ec);
    if (ec || !v.is_array()) // SockJS says 500; a client's fault is a 400 here
        return to_response(
            error::bad_request(body.empty() ? "Payload expected." : "Broken JSON encoding."));
    caf::actor sub;
    {
        std::lock_guard lock(s->mu);
        sub = s->subscriber;
    }
    for (const auto& m : v.get_array())
        actors::subscriber_text(sub, m.is_string() ? std::string(m.get_string()) : std::string());
    response r;
    r.status = 204;
    r.content_type = "text/plain; charset=UTF-8";
    return r;
}

void sockjs_sessions::clear() {
    std::lock_guard lock(mu_);
    for (auto& [id, s] : sessions_)
        if (s->subscriber)
            caf::anon_send_exit(s->subscriber, caf::exit_reason::user_shutdown);
    sessions_.clear();
}

} // namespace flotilla::http
