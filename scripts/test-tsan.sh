#!/usr/bin/env bash
# ThreadSanitizer on the actor and transport tests (not part of CI: a third
# build). Builds unit_tests and integration_tests Debug with -fsanitize=thread
# into ./build-tsan and runs the unit tests and the transport, TLS, agent,
# live query, stream and hardening tests on SQLite. scripts/tsan.supp says
# which reports are suppressed and why (Debian's CAF is not instrumented).
# Fails on any test failure or unsuppressed TSan report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FLOTILLA_BUILD_DIR:-$root/build-tsan}"
export FLOTILLA_BUILD_TYPE=Debug FLOTILLA_BUILD_DIR="$build"
FLOTILLA_TARGET=unit_tests "$root/scripts/build.sh" -DFLOTILLA_SANITIZERS=thread >/dev/null
FLOTILLA_TARGET=integration_tests "$root/scripts/build.sh" -DFLOTILLA_SANITIZERS=thread >/dev/null
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 suppressions=$root/scripts/tsan.supp history_size=4"
# The slow-subscriber test's clients give up after 10 s, which TSan's 5-15x
# slowdown exceeds; it runs in the other two test commands.
"$build/tests/unit_tests"
"$build/tests/integration_tests" --gtest_filter='transport_test.*:tls_test*:*live_query_test*sqlite*:stream_hardening*:hardening_test*:*agent_test*sqlite*:-*a_slow_subscriber_is_dropped*'
