#!/usr/bin/env bash
# One measured run: a fresh Flotilla on SQLite or MariaDB, agent_sim against it, and
# the server's CPU and resident memory from /proc over agent_sim's steady-state window.
#   measure.sh BUILD_DIR HOSTS DURATION MEASURE_AFTER [options] [agent_sim options...]
# options (taken out before the rest goes to agent_sim):
#   --store sqlite|mysql   the store (default $FLOTILLA_BENCH_STORE, else sqlite); mysql is
#                          a throwaway MariaDB (scripts/mariadb.sh; its buffer pool from
#                          FLOTILLA_MARIADB_BUFFER_POOL, default 64M) unless
#                          FLOTILLA_BENCH_MYSQL_ADDRESS names a server (../lib.sh)
#   --tls_cert C --tls_key K   serve HTTPS with this pair (agent_sim then uses https)
# Prints agent_sim's JSON summary, then one line of server figures (CPU per request,
# memory per host, the enrollment rate; with a throwaway MariaDB, its CPU too).
set -euo pipefail
build=${1:?usage: measure.sh BUILD_DIR HOSTS DURATION MEASURE_AFTER [--store sqlite|mysql] [--tls_cert C --tls_key K] [agent_sim options]}
hosts=$2 duration=$3 after=$4
shift 4
store=${FLOTILLA_BENCH_STORE:-sqlite} cert="" key=""
sim_args=()
while [ $# -gt 0 ]; do
  case "$1" in
  --store) store=${2:?--store needs sqlite or mysql} && shift 2 ;;
  --tls_cert) cert=${2:?} && shift 2 ;;
  --tls_key) key=${2:?} && shift 2 ;;
  *) sim_args+=("$1") && shift ;;
  esac
done
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
scratch

start_store "$build/flotilla" "$store"
tls=()
[ -z "$cert" ] || tls=(--server_tls --server_cert "$cert" --server_key "$key")
serve flotilla "$build/flotilla" serve --server_address 127.0.0.1:0 "${store_flags[@]}" \
  "${tls[@]}" --osquery_result_log_file "$dir/r" --osquery_status_log_file "$dir/s"
url=$served srv=$served_pid
setup "$url"

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$srv/status"; }
hz=$(getconf CLK_TCK)
rss0=$(rss_kb)

"$build/benchmarks/agent_sim/agent_sim" --url "$url" --enroll_secret "$secret" --hosts "$hosts" \
  --duration "$duration" --measure_after "$after" --summary "$dir/sum.json" "${sim_args[@]}" \
  >/dev/null &
sim=$!
sleep "$after"
t0=$(cpu_ticks "$srv") m0=0
[ -z "$mariadb_pid" ] || m0=$(cpu_ticks "$mariadb_pid")
wait "$sim"
t1=$(cpu_ticks "$srv") m1=0
[ -z "$mariadb_pid" ] || m1=$(cpu_ticks "$mariadb_pid")
rss1=$(rss_kb)
cat "$dir/sum.json"
s=$dir/sum.json
awk -v t="$((t1 - t0))" -v m="$((m1 - m0))" -v hz="$hz" -v req="$(jnum "$s" requests)" \
  -v reads="$(jnum "$s" count read)" -v r0="$rss0" -v r1="$rss1" -v h="$hosts" \
  -v erate="$(jnum "$s" enrolls_per_s)" -v esec="$(jnum "$s" enroll_seconds)" \
  -v ep99="$(jnum "$s" enroll_p99_ms)" -v eerr="$(jnum "$s" enroll_errors)" \
  -v mdb="$mariadb_pid" -v store="$store_desc" 'BEGIN {
  cpu = t / hz
  printf "server: cpu %.2f s over the window; %.1f us per request (%d requests, %d reads); rss %.1f MiB at start, %.1f MiB at end, %.0f bytes per host; enrollment %.0f/s (%.1f s to enroll them, enroll p99 %.2f ms, %d enroll errors)",
    cpu, req ? cpu * 1e6 / req : 0, req, reads, r0 / 1024, r1 / 1024, (r1 - r0) * 1024 / h,
    erate, esec, ep99, eerr
  if (mdb != "")
    printf "; mariadbd cpu %.2f s, %.1f us per request", m / hz, req ? m / hz * 1e6 / req : 0
  printf "; store %s\n", store }'
