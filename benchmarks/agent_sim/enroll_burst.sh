#!/usr/bin/env bash
# Enrollment under load: a steady, already-enrolled population keeps checking in while a
# second fleet enrolls new hosts at a fixed rate.
#   enroll_burst.sh BUILD_DIR [--store sqlite|mysql] [--rate 2000] [--seconds 60]
#                   [--steady 10000] [--steady_ramp S] [--connections 64]
#                   [--query_interval 10] [--grace 2]
# 1. A fresh Flotilla (the store as in measure.sh: --store, else $FLOTILLA_BENCH_STORE,
#    else sqlite); agent_sim enrolls --steady hosts over --steady_ramp seconds (default
#    one second per 1,000 hosts), then they settle for one query interval + 1 s.
# 2. A second agent_sim enrolls rate x seconds new hosts over --seconds (each then checks
#    in too, as new hosts do); the steady fleet's figures count over that window only.
# Prints one line: the enrollment rate achieved, errors, and the steady hosts' read and
# config p99 during the burst (the two summaries stay in the scratch directory only
# with FLOTILLA_BENCH_KEEP=1). Exits 1 when a request failed (or a tool did), 3 when
# there was no error but some host had not enrolled --grace s after the burst's end.
set -euo pipefail
usage="usage: enroll_burst.sh BUILD_DIR [--store sqlite|mysql] [--rate N] [--seconds S] [--steady HOSTS] [--steady_ramp S] [--connections N] [--query_interval S] [--grace S]"
build=${1:?$usage}
shift
store=${FLOTILLA_BENCH_STORE:-sqlite} rate=2000 seconds=60 steady=10000 steady_ramp=""
connections=64 interval=10 grace=2
while [ $# -gt 0 ]; do
  case "$1" in
  --store) store=${2:?$usage} ;;
  --rate) rate=${2:?$usage} ;;
  --seconds) seconds=${2:?$usage} ;;
  --steady) steady=${2:?$usage} ;;
  --steady_ramp) steady_ramp=${2:?$usage} ;;
  --connections) connections=${2:?$usage} ;;
  --query_interval) interval=${2:?$usage} ;;
  --grace) grace=${2:?$usage} ;;
  *) echo "$usage" >&2 && exit 2 ;;
  esac
  shift 2
done
[ -n "$steady_ramp" ] || steady_ramp=$(awk -v h="$steady" 'BEGIN { r = h / 1000; print r < 1 ? 1 : r }')
burst=$(awk -v r="$rate" -v s="$seconds" 'BEGIN { printf "%d", r * s }')
before=$(awk -v r="$steady_ramp" -v i="$interval" 'BEGIN { print r + i + 1 }')
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
scratch

start_store "$build/flotilla" "$store"
serve flotilla "$build/flotilla" serve --server_address 127.0.0.1:0 "${store_flags[@]}" \
  --osquery_result_log_file "$dir/r" --osquery_status_log_file "$dir/s"
url=$served srv=$served_pid
setup "$url"
sim=$build/benchmarks/agent_sim/agent_sim
common=(--url "$url" --enroll_secret "$secret" --connections "$connections"
  --query_interval "$interval" --progress 3600)

"$sim" "${common[@]}" --prefix steady --hosts "$steady" --ramp "$steady_ramp" \
  --duration "$(awk -v b="$before" -v s="$seconds" 'BEGIN { print b + s }')" \
  --measure_after "$before" --summary "$dir/steady.json" >/dev/null 2>"$dir/steady.err" &
steady_pid=$!
sleep "$before"
t0=$(cpu_ticks "$srv")
"$sim" "${common[@]}" --prefix burst --hosts "$burst" --ramp "$seconds" \
  --duration "$(awk -v s="$seconds" -v g="$grace" 'BEGIN { print s + g }')" \
  --summary "$dir/burst.json" >/dev/null 2>"$dir/burst.err" &
burst_pid=$!
wait "$steady_pid" || { echo "enroll_burst: the steady agent_sim failed:" && cat "$dir/steady.err" && exit 1; } >&2
t1=$(cpu_ticks "$srv")
wait "$burst_pid" || { echo "enroll_burst: the enrolling agent_sim failed:" && cat "$dir/burst.err" && exit 1; } >&2

b=$dir/burst.json s=$dir/steady.json
enrolled=$(jnum "$b" enrolled)
errors=$(($(jnum "$b" errors) + $(jnum "$b" connection_errors) + $(jnum "$s" errors) + $(jnum "$s" connection_errors)))
awk -v store="$store_desc" -v rate="$rate" -v secs="$seconds" -v asked="$burst" \
  -v enrolled="$enrolled" -v erate="$(jnum "$b" enrolls_per_s)" \
  -v esec="$(jnum "$b" enroll_seconds)" -v ep99="$(jnum "$b" enroll_p99_ms)" \
  -v berr="$(jnum "$b" errors)" -v bcerr="$(jnum "$b" connection_errors)" \
  -v serr="$(jnum "$s" errors)" -v scerr="$(jnum "$s" connection_errors)" \
  -v steady="$steady" -v senrolled="$(jnum "$s" enrolled)" \
  -v rp99="$(jnum "$s" p99_ms read)" -v rcount="$(jnum "$s" count read)" \
  -v cp99="$(jnum "$s" p99_ms config)" -v ccount="$(jnum "$s" count config)" -v lag="$(jnum "$s" max_schedule_lag_ms)" \
  -v cpu="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
  printf "enroll_burst: asked %d/s for %s s: %d of %d enrolled, %.0f enrollments/s (%.1f s, enroll p99 %.2f ms); errors %d (enrolling fleet %d + %d connection, steady fleet %d + %d connection); steady %d hosts (%d enrolled) during the burst: read p99 %.2f ms (%d reads), config p99 %s, generator lag %.0f ms; server %.2f cores; store %s\n",
    rate, secs, enrolled, asked, erate, esec, ep99, berr + bcerr + serr + scerr, berr, bcerr,
    serr, scerr, steady, senrolled, rp99, rcount,
    (ccount > 0 ? sprintf("%.2f ms", cp99) : "- (no fetch)"), lag, cpu / hz / secs, store }'
[ "$errors" -eq 0 ] || exit 1
[ "$enrolled" -eq "$burst" ] || exit 3
