#pragma once
/// The base of tests that need a fresh database of the parameter's backend and a
/// whole server on it.

#include "tests/support/backends.hpp"
#include "tests/support/test_server.hpp"

#include <gtest/gtest.h>
#include <memory>

namespace flotilla::testing {

class served_test : public ::testing::TestWithParam<backend> {
protected:
    /// A fresh database and a server on it (replacing any running one).
    void serve(server_options opts = {}) {
        srv_.reset();
        db_ = std::make_unique<test_database>(GetParam());
        auto st = db_->open();
        ASSERT_NE(st, nullptr);
        srv_ = std::make_unique<test_server>(std::move(st), std::move(opts));
    }
    void TearDown() override { srv_.reset(); }

    std::unique_ptr<test_database> db_;
    std::unique_ptr<test_server> srv_;
};

} // namespace flotilla::testing
