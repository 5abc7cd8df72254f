#pragma once
/// A real HTTP/1.1 client over a real socket (plain or TLS), for integration
/// tests. Beast stays inside http_client.cpp; tests see this plain interface.
/// Every operation has a deadline and throws std::runtime_error past it.

#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flotilla::testing {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_reply {
    int status = 0;
    std::string body;
    header_list headers; ///< names lower-case
    bool keep_alive = true;

    /// The first header with this (lower-case) name, or "".
    std::string header(std::string_view name) const;
    /// The body parsed as JSON (throws when it is not JSON).
    boost::json::value json() const;
};

struct client_options {
    bool tls = false;
    std::chrono::milliseconds timeout{10000};
    /// With tls: verify the server's certificate against this CA file (PEM) and
    /// `verify_name` (a DNS name or an IP); empty: no verification.
    std::string ca_file = {};
    std::string verify_name = "localhost";
};

/// One connection, kept alive across requests.
class http_client {
public:
    explicit http_client(unsigned short port, client_options opts = {});
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    http_reply request(const std::string& method, const std::string& target,
                       const std::string& body = "", const header_list& headers = {});
    /// request() with `Authorization: Bearer <token>`.
    http_reply authed(const std::string& method, const std::string& target,
                      const std::string& token, const std::string& body = "");

    /// Writes bytes as they are (for pipelining and malformed requests).
    void send_raw(std::string_view bytes);
    /// Reads one response.
    http_reply read_reply();
    /// True when the server closes the connection before the deadline.
    bool closed_by_server();
    /// The SHA-256 fingerprint of the certificate the server presented over TLS
    /// ("AB:CD:..."; "" without TLS).
    std::string peer_certificate_sha256() const;

    struct impl;

private:
    std::unique_ptr<impl> p_;
};

/// One request on a fresh connection.
http_reply http_once(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = "", const header_list& headers = {},
                     client_options opts = {});

} // namespace flotilla::testing
