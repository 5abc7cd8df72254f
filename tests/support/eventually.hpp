#pragma once
/// Waiting on a condition with a deadline, instead of a bare sleep: the test
/// fails with `what` when the condition does not hold in time.

#include "tests/support/deadline.hpp"

#include <chrono>
#include <functional>
#include <gtest/gtest.h>
#include <string>

namespace flotilla::testing {

/// wait_until(pred, deadline), recording a test failure naming `what` on timeout.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds deadline,
                       const std::string& what) {
    if (wait_until(pred, deadline, std::chrono::milliseconds(5)))
        return true;
    ADD_FAILURE() << "timed out after " << deadline.count() << " ms waiting for " << what;
    return false;
}

} // namespace flotilla::testing
