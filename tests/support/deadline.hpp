#pragma once
/// Waiting on a condition with a deadline (never a bare sleep): tests poll a
/// predicate until it holds or the deadline passes.

#include <chrono>
#include <thread>

namespace flotilla::testing {

/// Polls `pred` every `every` until it returns true (→ true) or `deadline`
/// passes (→ false; `pred` is tried one last time).
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds deadline,
                std::chrono::milliseconds every = std::chrono::milliseconds(20)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (pred())
            return true;
        std::this_thread::sleep_for(every);
    }
    return pred();
}

} // namespace flotilla::testing
