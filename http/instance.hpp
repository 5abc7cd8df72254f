#pragma once
/// One running Flotilla: the actor system, the persistence actor owning the
/// store, the API and the transport. `flotilla serve` runs one; integration
/// tests start several on port 0 in one process.

#include "http/server.hpp"
#include "storage/store.hpp"

#include <memory>

namespace flotilla::http {

class instance {
public:
    /// Starts the actors and binds the listener (serving starts with run()).
    static expected<std::unique_ptr<instance>> start(server_config net,
                                                     std::shared_ptr<storage::store> store);
    ~instance();

    unsigned short port() const;
    /// Shut down gracefully on SIGINT/SIGTERM.
    void handle_signals();
    /// Serves until shutdown; blocks.
    void run();
    /// Graceful shutdown (thread-safe); run() returns when done.
    void shutdown();

    struct parts;

private:
    explicit instance(std::unique_ptr<parts> p);
    std::unique_ptr<parts> p_;
};

} // namespace flotilla::http
