#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs the dependencies, builds,
# checks formatting, starts a throwaway MariaDB, runs the whole CTest suite
# (SQLite and MariaDB), stops MariaDB, and ends with CTest's summary line.
# Between the build and the tests, clang-tidy checks the changed files (scripts/tidy.sh).
# Extra arguments go to ctest (e.g. -L unit). FLOTILLA_SANITIZERS=address,undefined
# builds with sanitizers (use another FLOTILLA_BUILD_DIR). The fuzz step
# (scripts/fuzz.sh) builds into ./build-fuzz.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FLOTILLA_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"

echo "== test clients (npm: ws, sockjs-client)"
(cd "$root/tests/node" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

echo "== formatting (clang-format, .clang-format)"
find "$root" \( -path "$root/build*" -o -path "$root/.git" -o -name node_modules \) -prune -o \
  \( -name '*.cpp' -o -name '*.hpp' \) -print0 | xargs -0 clang-format --dry-run -Werror

echo "== build"
cmake_args=()
if [ -n "${FLOTILLA_SANITIZERS:-}" ]; then
  cmake_args+=(-DFLOTILLA_SANITIZERS="$FLOTILLA_SANITIZERS")
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/scripts/ubsan.supp}"
fi
build_started=$SECONDS
"$root/scripts/build.sh" "${cmake_args[@]}" >/dev/null
echo "build: $((SECONDS - build_started)) s"

# clang-tidy (.clang-tidy) on the translation units the last commit and the
# working tree changed; FLOTILLA_TIDY=0 skips it (the sanitizer run has had it).
if [ "${FLOTILLA_TIDY:-1}" != 0 ]; then
  echo "== clang-tidy (changed files)"
  FLOTILLA_BUILD_DIR="$build" "$root/scripts/tidy.sh"
fi

# libFuzzer harnesses (tests/fuzz, clang, ASan+UBSan+LeakSanitizer, own build
# directory), each for FLOTILLA_FUZZ_SECONDS (default 20; 0 skips) on its seed corpus:
# any crash, leak or UBSan report fails the test command (after the CTest run).
fuzz_failed=0
if [ "${FLOTILLA_FUZZ_SECONDS:-20}" != 0 ]; then
  echo "== fuzz (libFuzzer, ${FLOTILLA_FUZZ_SECONDS:-20} s a harness)"
  "$root/scripts/fuzz.sh" --seconds "${FLOTILLA_FUZZ_SECONDS:-20}" || fuzz_failed=1
fi

echo "== throwaway MariaDB"
db_dir="$(mktemp -d /tmp/flotilla-mariadb.XXXXXX)"
trap '"$root/scripts/mariadb.sh" stop "$db_dir"' EXIT
"$root/scripts/mariadb.sh" start "$db_dir"
export FLOTILLA_TEST_MYSQL_ADDRESS="$db_dir/mysqld.sock"
export FLOTILLA_TEST_MYSQL_USERNAME=root
export FLOTILLA_TEST_MYSQL_PASSWORD=

echo "== tests"
cd "$build"
status=0
ctest --output-on-failure -j"$(nproc)" "$@" || status=$?
if [ "$fuzz_failed" != 0 ]; then
  echo "FAILED: the fuzz step (scripts/fuzz.sh) found a crash, leak or UBSan report (above)"
  exit 1
fi
exit "$status"
