#!/usr/bin/env bash
# The cost of TLS: the same agent_sim load (measure.sh) against plain HTTP, HTTPS on an
# ECDSA P-256 certificate and HTTPS on an RSA-2048 certificate, one after another, each
# on a fresh server.
#   tls_compare.sh BUILD_DIR HOSTS DURATION MEASURE_AFTER [measure.sh/agent_sim options]
# (--store sqlite|mysql and agent_sim's --reconnect S / --no_resume are the interesting
# ones). Prints, per variant, the server's CPU per request, the read p50/p99, the
# connection set-ups (handshakes) per second and how many resumed a TLS session, errors,
# and the CPU per request as a ratio of plain HTTP's. Exits 1 when a run had errors.
set -euo pipefail
usage="usage: tls_compare.sh BUILD_DIR HOSTS DURATION MEASURE_AFTER [options]"
build=${1:?$usage} hosts=${2:?$usage} duration=${3:?$usage} after=${4:?$usage}
shift 4
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -keyout "$dir/ec.key" -out "$dir/ec.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$dir/rsa.key" -out "$dir/rsa.crt" 2>/dev/null

echo "tls_compare: $hosts hosts, $duration s, measured from $after s; options: ${*:-none}"
printf '%-11s %12s %12s %12s %14s %10s %7s %13s\n' variant "cpu us/req" "read p50 ms" \
  "read p99 ms" "handshakes/s" "resumed" errors "cpu vs plain"
plain_cpu="" failed=0
for variant in plain ecdsa-p256 rsa-2048; do
  tls=()
  case $variant in
  ecdsa-p256) tls=(--tls_cert "$dir/ec.crt" --tls_key "$dir/ec.key") ;;
  rsa-2048) tls=(--tls_cert "$dir/rsa.crt" --tls_key "$dir/rsa.key") ;;
  esac
  if ! "$here/measure.sh" "$build" "$hosts" "$duration" "$after" "${tls[@]}" "$@" \
    >"$dir/$variant.out" 2>"$dir/$variant.err"; then
    echo "tls_compare: the $variant run failed:" >&2
    cat "$dir/$variant.err" >&2
    exit 1
  fi
  # shellcheck source=../lib.sh
  source "$here/../lib.sh" # jnum
  head -1 "$dir/$variant.out" >"$dir/$variant.json"
  j=$dir/$variant.json
  cpu=$(grep -o '[0-9.]* us per request' "$dir/$variant.out" | cut -d' ' -f1)
  errors=$(($(jnum "$j" errors) + $(jnum "$j" connection_errors)))
  [ "$errors" -eq 0 ] || failed=1
  [ -n "$plain_cpu" ] || plain_cpu=$cpu
  awk -v v="$variant" -v cpu="$cpu" -v p50="$(jnum "$j" p50_ms read)" \
    -v p99="$(jnum "$j" p99_ms read)" -v hs="$(jnum "$j" handshakes_per_s)" \
    -v n="$(jnum "$j" handshakes)" -v res="$(jnum "$j" resumed_handshakes)" \
    -v err="$errors" -v plain="$plain_cpu" 'BEGIN {
    printf "%-11s %12.1f %12.2f %12.2f %14.1f %10s %7d %13.2f\n", v, cpu, p50, p99, hs,
      (v == "plain" ? "-" : res "/" n), err, (plain > 0 ? cpu / plain : 0) }'
done
exit "$failed"
