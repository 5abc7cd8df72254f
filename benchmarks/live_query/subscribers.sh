#!/usr/bin/env bash
# Fan-out: a fresh Flotilla on SQLite, a simulated fleet, CAMPAIGNS campaigns held open
# at once against every host, each watched by SUBSCRIBERS raw WebSocket subscribers
# (live_query_bench --subscribers), with the server's CPU and RSS read from /proc.
#   subscribers.sh BUILD_DIR [HOSTS=1000] [CAMPAIGNS=100] [SUBSCRIBERS=100] [bench options...]
# Prints live_query_bench's JSON to $SUBSCRIBERS_JSON (when set) and one summary line;
# exits non-zero when a subscriber lost, got twice or did not get a result.
set -euo pipefail
build=${1:?usage: subscribers.sh BUILD_DIR [HOSTS] [CAMPAIGNS] [SUBSCRIBERS] [bench options]}
hosts=${2:-1000} campaigns=${3:-100} subscribers=${4:-100}
shift $(($# < 4 ? $# : 4))
dir=$(mktemp -d)
source "$(dirname "$0")/../lib.sh"
trap 'stop_served; rm -rf "$dir"' EXIT

# Each subscriber is a descriptor in the bench and one in the server (both inherit this).
ulimit -n "$(ulimit -Hn)"
need=$((campaigns * subscribers + campaigns + 1000))
if [ "$(ulimit -n)" -lt "$need" ]; then
  echo "subscribers.sh: ulimit -n is $(ulimit -n), below the $need descriptors needed" >&2
  exit 2
fi

serve flotilla "$build/flotilla" serve --server_address 127.0.0.1:0 --sqlite_path "$dir/f.db" \
  --osquery_result_log_file "$dir/r" --osquery_status_log_file "$dir/s"
url=$served
setup "$url"

rc=0
"$build/benchmarks/live_query/live_query_bench" --url "$url" --email bench@example.com \
  --password bench-password --hosts "$hosts" --ramp "$(((hosts + 999) / 1000 * 5))" \
  --campaigns "$campaigns" --subscribers "$subscribers" --server_pid "$served_pid" "$@" \
  2>&1 >"$dir/out.json" | tee "$dir/bench.err" | sed -u '/^subscribers: /d' >&2 || rc=$?
[ -n "${SUBSCRIBERS_JSON:-}" ] && cp "$dir/out.json" "$SUBSCRIBERS_JSON"
grep '^subscribers: ' "$dir/bench.err" || echo "subscribers: no summary (exit $rc)"
exit "$rc"
