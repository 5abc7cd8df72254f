/// An exception escaping a guarded handler drops that message only: the actor
/// keeps serving (CAF 0.17 would otherwise end it).

#include "actors/guard.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <stdexcept>

using namespace flotilla::actors;

TEST(guard, an_actor_survives_a_throwing_handler) {
    caf::actor_system_config cfg;
    cfg.set("logger.console", caf::atom("none"));
    caf::actor_system sys(cfg);
    auto a = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
        return {
            guarded("test",
                    [](int x) -> int {
                        if (x < 0)
                            throw std::runtime_error("negative");
                        return x * 2;
                    }),
            guarded("test", [](const std::string&) { throw 42; }),
        };
    });
    caf::scoped_actor self(sys);
    auto ask = [&](auto msg) {
        int got = -1;
        self->request(a, std::chrono::seconds(5), msg)
            .receive([&](int v) { got = v; }, [&](caf::error&) { got = -2; });
        return got;
    };
    EXPECT_EQ(ask(-1), 0); // the default of the handler's result type
    self->send(a, std::string("a non-std exception"));
    EXPECT_EQ(ask(21), 42); // still alive and answering
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
