#pragma once
/// Plain request and response types: what handlers see instead of Beast, so
/// handler code compiles fast and is testable without a socket.

#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flotilla::http {

struct request {
    std::string method; ///< "GET", "POST", ...
    std::string target; ///< as received, e.g. /api/v1/fleet/spec/queries/a%20b?x=1
    std::string body;
    std::string remote_address;
    std::vector<std::pair<std::string, std::string>> headers; ///< names lower-case

    /// The first header with this (lower-case) name, or "".
    std::string_view header(std::string_view name) const;
};

/// The writing end of a streamed (chunked) response body. Thread-safe.
class body_stream {
public:
    virtual ~body_stream() = default;
    /// Queues a chunk; ignored once the stream has ended or the client has gone.
    virtual void write(std::string chunk) = 0;
    /// Ends the body after what is queued (the connection then closes).
    virtual void end() = 0;
    /// False once end() was called or the client has gone.
    virtual bool open() const = 0;
};

struct response {
    int status = 200;
    std::string body;
    std::string content_type = "application/json; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;

    /// When set, the body is streamed with chunked encoding: `body` is the first
    /// chunk and this is handed the stream once the headers are on their way.
    std::function<void(std::shared_ptr<body_stream>)> stream;

    static response json(int status, const boost::json::value& v);
    /// `status` with a body that is serialised JSON already.
    static response json_text(int status, std::string body) {
        response r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
    /// 200 with `{}`.
    static response empty_object();
    /// "Answered later through the responder": what a store job returns when it
    /// has handed the responder on to an actor.
    static response deferred() { return response{0, {}, {}, {}, {}}; }
    bool is_deferred() const { return status == 0; }
};

/// Delivers the response for one request. Thread-safe, call exactly once: the
/// transport posts it back onto the connection's strand.
using responder = std::function<void(response)>;

} // namespace flotilla::http
