#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, clang, ASan+UBSan+LeakSanitizer) into
# ./build-fuzz (or $FLOTILLA_FUZZ_BUILD_DIR) and runs each one on its committed seed
# corpus (tests/fuzz/corpus/<harness>) for a bounded time, $(nproc) at a time.
# Prints execs and crashes per harness; exits 1 on any crash, leak, UBSan report,
# timeout or out-of-memory (the reproducer's path is printed), 0 otherwise.
#   scripts/fuzz.sh --minutes N [harness...]    N minutes each (the long run)
#   scripts/fuzz.sh --seconds N [harness...]    N seconds each (the test command: 20)
# New inputs the fuzzer finds go to the build directory, never into the corpus.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FLOTILLA_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) seconds=$(( $2 * 60 )); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for d in "$root"/tests/fuzz/corpus/*/; do harnesses+=("$(basename "$d")"); done
fi

started=$(date +%s)
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DFLOTILLA_FUZZ=ON -DFLOTILLA_TESTS=OFF \
  -DFLOTILLA_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null # asserts stay on
cmake --build "$build" -j"$(nproc)" --target fuzz_harnesses >/dev/null
built=$(date +%s)

runs="$build/runs"
rm -rf "$runs"
mkdir -p "$runs"
# Leaks are checked (LeakSanitizer); UBSan aborts on its first report
# (-fno-sanitize-recover=all); every report ends the run with exit code 77.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
run_one() {
  local h=$1 dir="$runs/$1"
  mkdir -p "$dir/new"
  set +e
  "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -error_exitcode=77 -timeout=10 \
    -rss_limit_mb=2048 -max_len=16384 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/new" "$root/tests/fuzz/corpus/$h" >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}
jobs_max=$(nproc)
for h in "${harnesses[@]}"; do
  [ -x "$build/tests/fuzz/fuzz_$h" ] || { echo "fuzz.sh: no harness fuzz_$h" >&2; exit 2; }
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  run_one "$h" &
done
wait

failed=0
printf '%-10s %12s %8s  %s\n' harness execs crashes result
for h in "${harnesses[@]}"; do
  dir="$runs/$h"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  found=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o \
    -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
  rc=$(cat "$dir/rc")
  result=ok
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then result="FAILED (exit $rc)"; failed=1; fi
  printf '%-10s %12s %8s  %s\n' "$h" "${execs:-?}" "$found" "$result"
done
if [ "$failed" != 0 ]; then
  for h in "${harnesses[@]}"; do
    dir="$runs/$h"
    [ "$(cat "$dir/rc")" = 0 ] && continue
    echo "== fuzz_$h (log: $dir/log)"
    grep -E 'ERROR|runtime error|terminate|what\(\)|SUMMARY|Test unit written|#[0-9]+ 0x' "$dir/log" | head -40
  done
fi
echo "fuzz: ${#harnesses[@]} harnesses, ${seconds} s each; build $((built - started)) s," \
  "total $(( $(date +%s) - started )) s"
exit "$failed"
