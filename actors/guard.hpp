#pragma once
/// Design: in CAF 0.17 an exception escaping a message handler ends the actor
/// (exit reason unhandled_exception), and the host registry or the persistence
/// actor ending is an outage of the whole fleet. So every handler of our actors
/// is wrapped with `guarded`: an exception is logged once, naming the actor, and
/// the message is dropped (a handler that returns a value returns its default);
/// the actor goes on with its next message. A dropped message that carried an
/// HTTP responder still gets an answer: the transport answers 500 for a request
/// whose every responder is gone (http/transport/http_session.cpp).

#include <exception>
#include <spdlog/spdlog.h>
#include <type_traits>
#include <utility>

namespace flotilla::actors {

namespace detail {

/// Logs an exception that a handler let escape.
inline void report_escaped(const char* where, const char* what) {
    spdlog::error("{}: a message handler threw ({}); the message is dropped", where, what);
}

template <class F, class R, class... Ts> struct guarded_fn {
    const char* where;
    mutable F f; ///< called from a const operator(), as CAF's handlers are
    R operator()(Ts... xs) const {
        try {
            return f(std::forward<Ts>(xs)...);
        } catch (const std::exception& e) {
            report_escaped(where, e.what());
        } catch (...) {
            report_escaped(where, "unknown exception");
        }
        if constexpr (!std::is_void_v<R>)
            return R{};
    }
};

template <class F, class Sig> struct guard_for;
template <class F, class C, class R, class... Ts> struct guard_for<F, R (C::*)(Ts...) const> {
    using type = guarded_fn<F, R, Ts...>;
};
template <class F, class C, class R, class... Ts> struct guard_for<F, R (C::*)(Ts...)> {
    using type = guarded_fn<F, R, Ts...>;
};

} // namespace detail

/// `f` (a lambda with one fixed signature) with exceptions caught and logged as
/// `where`'s; CAF sees the same signature, so pattern matching is unchanged.
template <class F> auto guarded(const char* where, F f) {
    using guard = typename detail::guard_for<F, decltype(&F::operator())>::type;
    return guard{where, std::move(f)};
}

} // namespace flotilla::actors
