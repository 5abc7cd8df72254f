#!/usr/bin/env bash
# Runs each load benchmark briefly at small scale against a fresh server on SQLite,
# so they keep building and running (CTest: benchmark.load). No timing assertions:
# it fails when a tool fails, when agent_sim counts errors, or when live_query_bench
# loses, duplicates or does not finish a campaign.
set -euo pipefail
build=${1:?usage: smoke.sh BUILD_DIR}
dir=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
trap 'stop_served; rm -rf "$dir"' EXIT

serve flotilla "$build/flotilla" serve --server_address 127.0.0.1:0 \
  --sqlite_path "$dir/f.db" --osquery_result_log_file "$dir/r" --osquery_status_log_file "$dir/s"
url=$served

setup "$url"

check() { # a summary with no errors
  grep -q '"errors":0,"connection_errors":0' "$1" || { echo "errors in $1:"; cat "$1"; exit 1; }
}

echo "== agent_sim: 50 hosts, 1 s interval, 4 s"
"$build/benchmarks/agent_sim/agent_sim" --url "$url" --enroll_secret "$secret" --hosts 50 \
  --ramp 0.5 --query_interval 1 --config_interval 2 --log_interval 1 --duration 4 \
  --progress 2 --summary "$dir/sim.json"
check "$dir/sim.json"

echo "== checkin_ceiling and Flotilla, saturated reads, 2 s each"
serve ceiling "$build/benchmarks/checkin_ceiling/checkin_ceiling" --port 0
ceiling=$served
for target in "$ceiling" "$url"; do
  "$build/benchmarks/agent_sim/agent_sim" --url "$target" --enroll_secret "$secret" --hosts 50 \
    --ramp 0.2 --saturate --connections 8 --duration 2 --progress 10 --summary "$dir/sat.json"
  check "$dir/sat.json"
done

echo "== live_query_bench: 50 hosts, 2 campaigns, 20 held open"
"$build/benchmarks/live_query/live_query_bench" --url "$url" --email bench@example.com \
  --password bench-password --hosts 50 --ramp 0.5 --query_interval 1 --settle 1.5 \
  --campaigns 2 --concurrent 20 --ghosts 4 --window 1

echo "== agent_sim over TLS: 20 hosts, 2 s"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
serve tls "$build/flotilla" serve --server_address 127.0.0.1:0 --server_tls \
  --server_cert "$dir/cert.pem" --server_key "$dir/key.pem" --sqlite_path "$dir/t.db" \
  --osquery_result_log_file "$dir/tr" --osquery_status_log_file "$dir/ts"
case "$served" in https://*) ;; *) echo "the TLS server says $served"; exit 1 ;; esac
setup "$served"
"$build/benchmarks/agent_sim/agent_sim" --url "$served" --enroll_secret "$secret" --hosts 20 \
  --ramp 0.2 --query_interval 0.5 --duration 2 --connections 4 --progress 10 --summary "$dir/tls.json"
check "$dir/tls.json"
grep -q '"enrolled":20,' "$dir/tls.json" || { echo "not every TLS agent enrolled"; exit 1; }
echo "smoke: every load benchmark ran"
