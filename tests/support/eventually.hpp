#pragma once
/// Waiting on a condition with a deadline, instead of a bare sleep: the test
/// fails with `what` when the condition does not hold in time.

#include <chrono>
#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <thread>

namespace flotilla::testing {

/// Polls `pred` (every few milliseconds) until it holds or `deadline` passes;
/// true when it held. On timeout it records a test failure naming `what`.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds deadline,
                       const std::string& what) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (auto pause = std::chrono::milliseconds(1);;
         pause = std::min(pause * 2, decltype(pause)(50))) {
        if (pred())
            return true;
        if (std::chrono::steady_clock::now() >= until) {
            ADD_FAILURE() << "timed out after " << deadline.count() << " ms waiting for " << what;
            return false;
        }
        std::this_thread::sleep_for(pause); // a poll interval under a deadline, not a bare sleep
    }
}

} // namespace flotilla::testing
