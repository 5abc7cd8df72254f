#pragma once
/// A real WebSocket client for integration tests (plain or TLS). Beast stays in
/// ws_client.cpp. Every read has a deadline.

#include "tests/support/http_client.hpp"

#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>

namespace flotilla::testing {

class ws_client {
public:
    /// Connects and upgrades; throws std::runtime_error (naming the HTTP status
    /// when the server refuses) on failure.
    ws_client(unsigned short port, const std::string& path, client_options opts = {},
              const header_list& headers = {});
    ~ws_client();

    void send(const std::string& text);
    void send_json(const boost::json::value& v);
    /// The next text message; nullopt once the server has closed (see close_code)
    /// or at the deadline (timed_out() is then true).
    std::optional<std::string> read(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    std::optional<boost::json::value>
    read_json(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    int close_code() const;
    bool timed_out() const;
    /// Pings received from the server so far (answered automatically while reading).
    int pings() const;
    /// Closes from the client side.
    void close();

    struct impl;

private:
    std::unique_ptr<impl> p_;
};

} // namespace flotilla::testing
