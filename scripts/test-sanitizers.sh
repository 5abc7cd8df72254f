#!/usr/bin/env bash
# The second test command (CI runs it after scripts/test.sh): the whole suite
# but the benchmark smoke runs, built Debug with ASan, UBSan and LeakSanitizer
# into ./build-asan, on SQLite and a throwaway MariaDB. Any sanitizer report
# fails the test it happens in. Extra arguments go to ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FLOTILLA_BUILD_TYPE=Debug
export FLOTILLA_SANITIZERS=address,undefined
export FLOTILLA_BUILD_DIR="${FLOTILLA_BUILD_DIR:-$root/build-asan}"
export FLOTILLA_FUZZ_SECONDS=0 # scripts/test.sh has fuzzed already
export FLOTILLA_TIDY=0         # ...and run clang-tidy
exec "$root/scripts/test.sh" -LE benchmark "$@"
