#include "http/sockjs_sessions.hpp"

#include "actors/memory.hpp"
#include "actors/subscriber_actor.hpp"
#include "http/errors.hpp"
#include "http/sockjs_framing.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

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

error too_many() {
    return error::unavailable("too many SockJS sessions (" + std::to_string(max_sockjs_sessions) +
                              "); try again later");
}

} // namespace

void sockjs_sessions::clear_queue(session& s) {
    std::vector<std::string>().swap(s.queue);
    actors::memory_released(s.queued_bytes);
    s.queued_bytes = 0;
    s.batches = 0;
}

void sockjs_sessions::sweep_closed() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_sweep_ < closed_session_linger)
        return;
    last_sweep_ = now;
    std::erase_if(sessions_, [&](auto& kv) {
        session& x = *kv.second;
        std::unique_lock l(x.mu, std::try_to_lock); // a busy session is in use
        return l.owns_lock() && x.closed && !x.pending && !x.streaming &&
               now - x.closed_at > closed_session_linger;
    });
}

void sockjs_sessions::drop(const std::string& id, session& s) {
    if (s.subscriber)
        caf::anon_send_exit(s.subscriber, caf::exit_reason::user_shutdown);
    s.closed = true;
    clear_queue(s);
    std::lock_guard lock(mu_);
    if (auto it = sessions_.find(id); it != sessions_.end() && it->second.get() == &s)
        sessions_.erase(it);
}

bool sockjs_sessions::has_receiver(session& s) {
    if (s.streaming && !s.streaming->open()) // its client has gone
        s.streaming.reset();
    return s.pending || s.streaming;
}

void sockjs_sessions::flush(const std::string& id, session& s) {
    if (!has_receiver(s)) {
        if (s.heartbeat_due) {
            s.heartbeat_due = false;
            if (++s.heartbeats_unpolled >= 2) // nobody comes for it: abandoned
                drop(id, s);
        }
        return;
    }
    s.heartbeats_unpolled = 0;
    std::string body;
    if (!s.queue.empty()) {
        body = sockjs::xhr_frame(sockjs::messages_frame(s.queue));
        clear_queue(s);
    }
    // A poll answers one frame; a stream can carry the close after the messages.
    const bool closing = s.closed && (body.empty() || s.streaming);
    if (closing)
        body += sockjs::xhr_frame(s.too_slow ? sockjs::too_slow_frame : sockjs::go_away_frame);
    else if (body.empty() && s.heartbeat_due)
        body = sockjs::xhr_frame(sockjs::heartbeat_frame);
    if (body.empty())
        return;
    s.heartbeat_due = false;
    if (s.pending) {
        auto reply = std::move(*s.pending);
        s.pending.reset();
        reply(frame(std::move(body)));
    } else {
        s.streamed += body.size();
        s.streaming->write(std::move(body));
        if (closing || s.streamed >= stream_limit) {
            s.streaming->end();
            s.streaming.reset();
        }
    }
    if (closing)
        drop(id, s);
}

std::shared_ptr<sockjs_sessions::session>
sockjs_sessions::open(const std::string& id, const spawn_fn& spawn, bool& created) {
    std::shared_ptr<session> s;
    {
        std::lock_guard lock(mu_);
        sweep_closed();
        auto it = sessions_.find(id);
        if (it == sessions_.end()) {
            if (sessions_.size() >= max_sockjs_sessions) // anyone may open one: bounded
                return nullptr;
            it = sessions_.emplace(id, std::make_shared<session>()).first;
        }
        s = it->second;
    }
    std::lock_guard lock(s->mu);
    created = !s->subscriber;
    if (created) {
        std::weak_ptr<session> weak = s;
        auto with = [this, weak, id](auto fn) {
            if (auto live = weak.lock()) {
                std::lock_guard l(live->mu);
                if (live->closed)
                    return;
                fn(*live);
                flush(id, *live);
            }
        };
        s->subscriber = spawn(
            [this, with, id](std::vector<std::string> msgs) {
                with([&](session& x) {
                    std::size_t bytes = 0;
                    for (const auto& m : msgs)
                        bytes += m.size();
                    if (!bound_.admits(x.batches, x.queued_bytes, bytes)) {
                        // Nobody takes them: too slow. The queue goes; the next
                        // receiver gets the close frame that says why.
                        spdlog::warn("SockJS session {} too slow ({} batches, {} bytes "
                                     "queued): closing",
                                     id, x.batches, x.queued_bytes);
                        clear_queue(x);
                        x.closed = x.too_slow = true;
                        x.closed_at = std::chrono::steady_clock::now();
                        if (x.subscriber)
                            caf::anon_send_exit(x.subscriber, caf::exit_reason::user_shutdown);
                        return;
                    }
                    ++x.batches;
                    x.queued_bytes += bytes;
                    for (auto& m : msgs)
                        x.queue.push_back(std::move(m));
                });
            },
            [with] {
                with([](session& x) {
                    x.closed = true;
                    x.closed_at = std::chrono::steady_clock::now();
                });
            },
            [with] { with([](session& x) { x.heartbeat_due = true; }); });
    }
    return s;
}

void sockjs_sessions::poll(const std::string& id, responder reply, const spawn_fn& spawn) {
    bool created = false;
    auto s = open(id, spawn, created);
    if (!s)
        return reply(to_response(too_many()));
    if (created)
        return reply(frame(sockjs::xhr_frame(sockjs::open_frame)));
    std::lock_guard lock(s->mu);
    if (has_receiver(*s))
        return reply(frame(sockjs::xhr_frame(sockjs::busy_frame)));
    s->pending = std::move(reply);
    flush(id, *s);
}

void sockjs_sessions::stream(const std::string& id, responder reply, const spawn_fn& spawn) {
    bool created = false;
    auto s = open(id, spawn, created);
    if (!s)
        return reply(to_response(too_many()));
    auto res = frame(sockjs::streaming_prelude() +
                     (created ? sockjs::xhr_frame(sockjs::open_frame) : std::string()));
    res.stream = [this, id, weak = std::weak_ptr<session>(s)](std::shared_ptr<body_stream> st) {
        auto live = weak.lock();
        if (!live) {
            st->write(sockjs::xhr_frame(sockjs::go_away_frame));
            return st->end();
        }
        std::lock_guard lock(live->mu);
        if (has_receiver(*live)) {
            st->write(sockjs::xhr_frame(sockjs::busy_frame));
            return st->end();
        }
        live->streaming = std::move(st);
        live->streamed = 0;
        flush(id, *live);
    };
    reply(std::move(res));
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

    auto msgs = sockjs::decode_client_frame(body);
    if (!msgs) // SockJS says 500; a client's fault is a 400 here
        return to_response(msgs.err());
    caf::actor sub;
    {
        std::lock_guard lock(s->mu);
        if (s->closed) // nothing will read what is sent to it
            return to_response(error::not_found("SockJS session", id));
        sub = s->subscriber;
    }
    for (auto& m : *msgs)
        actors::subscriber_text(sub, std::move(m));
    response r;
    r.status = 204;
    r.content_type = "text/plain; charset=UTF-8";
    return r;
}

void sockjs_sessions::clear() {
    std::unordered_map<std::string, std::shared_ptr<session>> all;
    {
        std::lock_guard lock(mu_);
        all.swap(sessions_);
    }
    for (auto& [id, s] : all) {
        std::lock_guard lock(s->mu);
        s->closed = true;
        clear_queue(*s);
        flush(id, *s); // a held poll or a stream gets the close frame now
        if (s->subscriber)
            caf::anon_send_exit(s->subscriber, caf::exit_reason::user_shutdown);
    }
}

} // namespace flotilla::http
