#!/usr/bin/env bash
# Campaigns over a fleet: a fresh Flotilla (SQLite or MariaDB, plain HTTP or HTTPS), a
# simulated fleet in live_query_bench, campaigns against every host one after another,
# and the server's CPU and resident memory from /proc.
#   campaign.sh BUILD_DIR HOSTS [options] [live_query_bench options...]
# options (taken out before the rest goes to live_query_bench):
#   --store sqlite|mysql   as measure.sh (../lib.sh)
#   --tls ecdsa|rsa        serve HTTPS on a fresh self-signed ECDSA P-256 or RSA-2048
#                          certificate; the agents, API calls and subscribers use https
# Prints live_query_bench's JSON, then one line: per campaign the time until every
# online host answered, lost/duplicated results, the results/s replayed to one
# subscriber and the server's cores during the campaign; then the server's resident
# memory per host. Exits non-zero when a result was lost or duplicated, a campaign did
# not finish, or an agent request failed.
set -euo pipefail
usage="usage: campaign.sh BUILD_DIR HOSTS [--store sqlite|mysql] [--tls ecdsa|rsa] [bench options]"
build=${1:?$usage} hosts=${2:?$usage}
shift 2
store=${FLOTILLA_BENCH_STORE:-sqlite} tls=""
bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
  --store) store=${2:?--store needs sqlite or mysql} && shift 2 ;;
  --tls) tls=${2:?--tls needs ecdsa or rsa} && shift 2 ;;
  *) bench_args+=("$1") && shift ;;
  esac
done
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"
scratch

tls_flags=()
case "$tls" in
"") ;;
ecdsa) openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -keyout "$dir/k.pem" -out "$dir/c.pem" 2>/dev/null ;;
rsa) openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$dir/k.pem" -out "$dir/c.pem" 2>/dev/null ;;
*) echo "$usage" >&2 && exit 2 ;;
esac
[ -z "$tls" ] || tls_flags=(--server_tls --server_cert "$dir/c.pem" --server_key "$dir/k.pem")

start_store "$build/flotilla" "$store"
serve flotilla "$build/flotilla" serve --server_address 127.0.0.1:0 "${store_flags[@]}" \
  "${tls_flags[@]}" --osquery_result_log_file "$dir/r" --osquery_status_log_file "$dir/s"
url=$served srv=$served_pid
setup "$url"
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$srv/status"; }
rss0=$(rss_kb)

rc=0
"$build/benchmarks/live_query/live_query_bench" --url "$url" --email bench@example.com \
  --password bench-password --hosts "$hosts" --server_pid "$srv" "${bench_args[@]}" \
  >"$dir/out.json" 2>"$dir/bench.err" || rc=$?
rss1=$(rss_kb)
cat "$dir/out.json"
if [ ! -s "$dir/out.json" ]; then
  cat "$dir/bench.err" >&2
  exit 1
fi
python3 - "$dir/out.json" "$rss0" "$rss1" "$hosts" "$store_desc" "${tls:-plain}" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
rss0, rss1, hosts = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for c in out["campaigns"]:
    print(f"campaign {c['campaign']}: {c['results']} results of {c['online_hosts']} online hosts, "
          f"all answered in {c['all_answered_ms'] / 1000:.2f} s (first after {c['first_result_ms']:.0f} ms), "
          f"lost {c['lost']}, duplicated {c['duplicates']}, replayed {c['replay_results_per_s']:.0f} results/s, "
          f"server {c.get('server_cores_during_campaign', 0):.2f} cores, "
          f"agents' read p99 {c['read_during_campaign']['p99_ms']:.2f} ms")
a = out["agents"]
errors = a.get("errors", 0) + a.get("connection_errors", 0)
print(f"server: rss {rss0 / 1024:.1f} MiB before, {rss1 / 1024:.1f} MiB after, "
      f"{(rss1 - rss0) * 1024 / hosts:.0f} bytes per host; agent errors {errors}; "
      f"the generator's worst lag behind the agents' schedule {a['max_schedule_lag_ms'] / 1000:.1f} s; "
      f"store {sys.argv[5]}; {sys.argv[6]}")
sys.exit(1 if errors else 0)
EOF
[ "$rc" -eq 0 ] || { tail -5 "$dir/bench.err" >&2; exit "$rc"; }
