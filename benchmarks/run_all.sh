#!/usr/bin/env bash
# Every benchmark, one table: figure | measured | goal | command.
#   run_all.sh [--quick] [--only REGEX] [BUILD_DIR]     (BUILD_DIR: ../build)
# Full: the sizes the goals are stated at (hours; nothing else should run on the
# machine). --quick: tiny sizes (about a minute on 2 cores), to prove every tool still
# builds, runs and reports: it exits non-zero when a tool fails or reports errors or
# lost, duplicated or unfinished live query results; timings are never asserted.
# --only runs the rows whose figure or function matches REGEX (grep -E).
#
# MariaDB: rows on MariaDB use throwaway servers (scripts/mariadb.sh; full runs give
# them FLOTILLA_MARIADB_BUFFER_POOL, default here 512M, one fresh server per run). With
# --quick they share one: the server FLOTILLA_TEST_MYSQL_ADDRESS (_USERNAME, _PASSWORD)
# names, else one throwaway server for the whole run. spec_apply_bench uses that one in
# both modes. Each run gets a fresh database. Logs: kept (path printed) when a row fails
# or FLOTILLA_BENCH_KEEP is set.
# shellcheck disable=SC2317 # the row functions are called through the table
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
quick=0 only="" build=""
while [ $# -gt 0 ]; do
  case "$1" in
  --quick) quick=1 ;;
  --only) only=${2:?--only needs a pattern} && shift ;;
  -*) echo "usage: run_all.sh [--quick] [--only REGEX] [BUILD_DIR]" >&2 && exit 2 ;;
  *) build=$1 ;;
  esac
  shift
done
build=${build:-$here/../build}
shown=$build # as given, for the command column
build=$(cd "$build" && pwd)

# The table, one row a line: figure | goal | function | full arguments | quick arguments.
# A row's function gets the arguments (word-split), runs the tools through `run`, sets
# $measured and $command, and returns non-zero when a tool failed or reported errors.
table=$(
  cat <<'ROWS'
MariaDB keeps up: 100,000 hosts at a 10 s interval, SQLite and MariaDB | 0 errors; read and config p99 < 25 ms; MariaDB CPU per request ≤ 1.5× SQLite's | keeps_up | 100000 200 130 --ramp 100 --connections 128 | 300 2.5 1.2 --ramp 0.5 --query_interval 0.5 --config_interval 1 --log_interval 1 --connections 8
Enrollment: 2,000 hosts/s for 60 s beside 50,000 enrolled hosts, SQLite and MariaDB | 2,000/s sustained; 0 errors; enrolled hosts' read p99 < 25 ms | enroll | --rate 2000 --seconds 60 --steady 50000 | --rate 100 --seconds 1 --steady 200 --steady_ramp 0.5 --query_interval 0.5 --connections 8 --grace 0.5
Config p99 − read p99 at 200,000 hosts, SQLite and MariaDB | config p99 within 2 ms of read p99 (config never waits for the store) | config_gap | 200000 330 260 --ramp 200 --connections 128 | 200 2 1 --ramp 0.3 --query_interval 0.5 --config_interval 0.5 --connections 8
TLS: 100,000 hosts on keep-alive sessions, plain vs ECDSA P-256 vs RSA-2048 | 0 errors; read p99 < 25 ms; TLS/plain CPU per request ≤ 1.3 | tls | 100000 200 130 --ramp 100 --connections 128 | 200 2 1 --ramp 0.3 --query_interval 0.5 --connections 4
TLS: 100,000 hosts, each reconnecting every 60 s with session resumption | 0 errors; read p99 < 25 ms; handshakes resumed | tls | 100000 200 130 --ramp 100 --connections 128 --reconnect 60 | 200 2 1 --ramp 0.3 --query_interval 0.5 --connections 4 --reconnect 2
Spec apply: 500 queries, 200 labels, 50 packs, 1,000 policies, SQLite and MariaDB | first apply and re-apply < 250 ms on MariaDB | spec_apply | 1 | 0.05
One million hosts at 60 s intervals (SQLite) | read p99 < 25 ms; ≤ 1 KB per host; 0 errors | million | 1000000 800 620 --ramp 500 --query_interval 60 --config_interval 60 --log_interval 60 --connections 256 | 500 2 1 --ramp 0.5 --query_interval 1 --connections 8
Live query: campaigns over 100,000 hosts, 1,000 held open | completion ≤ interval + 1 s; 0 lost / duplicated; read p99 + < 2 ms with 1,000 campaigns open | live_query | --hosts 100000 --ramp 100 --connections 128 --campaigns 2 --concurrent 1000 --window 20 | --hosts 50 --ramp 0.5 --query_interval 1 --settle 1 --campaigns 2 --concurrent 20 --ghosts 4 --window 0.5
Live queries over TLS: campaigns over 100,000 hosts, plain vs ECDSA P-256 vs RSA-2048 | every host answered within interval + 1 s; 0 lost / duplicated; 0 errors; server cores while a campaign runs, TLS vs plain | campaign_tls | 100000 --ramp 100 --connections 128 --campaigns 2 | 50 --ramp 0.5 --query_interval 1 --settle 1 --campaigns 1
A live query against one million hosts at 60 s intervals (SQLite) | every online host answered within interval + 2 s; 0 lost / duplicated; results/s to one subscriber; the server's share of the CPU | campaign_million | 1000000 --ramp 500 --query_interval 60 --config_interval 60 --log_interval 60 --connections 256 --campaigns 1 | 100 --ramp 0.5 --query_interval 1 --config_interval 1 --log_interval 1 --settle 1 --campaigns 1
10,000 WebSocket subscribers: 100 campaigns × 100 subscribers | every result exactly once to every subscriber; CPU per delivered result and RSS per subscriber reported | subscribers | --hosts 10000 --ramp 20 --subscribers 100 --campaigns 100 | --hosts 50 --ramp 0.5 --query_interval 1 --settle 1 --subscribers 5 --campaigns 2
distributed/read saturated: Flotilla vs checkin_ceiling, same client | ≤ 60 µs of server CPU per read | ceiling | 1000 12 64 7 | 50 1 8 1
ROWS
)

dir=$(mktemp -d)
logs=$dir/logs
mkdir -p "$logs"
# shellcheck source=lib.sh
source "$here/lib.sh"
keep=${FLOTILLA_BENCH_KEEP:-}
shared_mdb=""
cleanup() {
  stop_served
  [ -z "$shared_mdb" ] || "$here/../scripts/mariadb.sh" stop "$shared_mdb" >/dev/null 2>&1 || true
  if [ -n "$keep" ]; then echo "logs: $logs"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

# The MariaDB spec_apply_bench uses (FLOTILLA_TEST_MYSQL_*) and, with --quick, every
# MariaDB row (FLOTILLA_BENCH_MYSQL_*, read by lib.sh's start_store).
uses_mdb=$(grep -E "${only:-.}" <<<"$table" | grep -Ec '\| *(keeps_up|enroll|config_gap|spec_apply) *\|') || true
if [ -z "${FLOTILLA_TEST_MYSQL_ADDRESS:-}" ] && [ "$uses_mdb" -gt 0 ]; then
  shared_mdb=$dir/mariadb
  FLOTILLA_MARIADB_BUFFER_POOL=64M "$here/../scripts/mariadb.sh" start "$shared_mdb" \
    >"$logs/mariadb.out" 2>&1 || {
    cat "$logs/mariadb.out" >&2
    shared_mdb=""
    exit 1
  }
  export FLOTILLA_TEST_MYSQL_ADDRESS=$shared_mdb/mysqld.sock FLOTILLA_TEST_MYSQL_USERNAME=root \
    FLOTILLA_TEST_MYSQL_PASSWORD=""
fi
if [ "$quick" = 1 ] && [ -n "${FLOTILLA_TEST_MYSQL_ADDRESS:-}" ]; then
  export FLOTILLA_BENCH_MYSQL_ADDRESS=$FLOTILLA_TEST_MYSQL_ADDRESS
  export FLOTILLA_BENCH_MYSQL_USERNAME=${FLOTILLA_TEST_MYSQL_USERNAME:-root}
  export FLOTILLA_BENCH_MYSQL_PASSWORD=${FLOTILLA_TEST_MYSQL_PASSWORD:-}
elif [ "$quick" = 0 ]; then
  unset FLOTILLA_BENCH_MYSQL_ADDRESS
  export FLOTILLA_MARIADB_BUFFER_POOL=${FLOTILLA_MARIADB_BUFFER_POOL:-512M}
fi

# run NAME TOOL ARGS...: the tool's stdout in $logs/NAME.out, stderr in .err.
run() {
  local name=$1
  shift
  local shown_cmd="$*"
  shown_cmd=${shown_cmd//"$build"/$shown}
  echo "  $name: ${shown_cmd//"$here"/benchmarks}" >&2
  "$@" >"$logs/$name.out" 2>"$logs/$name.err"
}
# The JSON summary a measure.sh log begins with, as NAME.json.
json_of() { grep '^{' "$logs/$1.out" | head -1 >"$logs/$1.json"; }
# The number in the first match of REGEX in FILE ("p99" is not one): num FILE REGEX.
num() { grep -Eo "$2" "$1" | head -1 | sed 's/p99//g' | grep -Eo '[0-9.]+' | head -1; }
fmt() { awk -v v="$1" "BEGIN { printf \"$2\", v }"; }
store_name() { case $1 in sqlite) echo SQLite ;; mysql) echo MariaDB ;; esac; }

# --- the rows ---------------------------------------------------------------------------

keeps_up() {
  command="benchmarks/agent_sim/measure.sh $shown $* --store sqlite|mysql"
  local s n errs=0 out=() cpu_sqlite="" cpu_mysql="" mdb=""
  for s in sqlite mysql; do
    n=keeps_up.$s
    run "$n" "$here/agent_sim/measure.sh" "$build" "$@" --store "$s" || return 1
    json_of "$n"
    local e cpu
    e=$(($(jnum "$logs/$n.json" errors) + $(jnum "$logs/$n.json" connection_errors)))
    errs=$((errs + e))
    cpu=$(num "$logs/$n.out" '[0-9.]+ us per request')
    out+=("$(store_name "$s"): $e errors, read p99 $(fmt "$(jnum "$logs/$n.json" p99_ms read)" %.2f) ms, config p99 $(fmt "$(jnum "$logs/$n.json" p99_ms config)" %.2f) ms, $cpu µs/request")
    if [ "$s" = sqlite ]; then cpu_sqlite=$cpu; else cpu_mysql=$cpu; fi
    [ "$s" = sqlite ] || mdb=$(grep -Eo 'mariadbd cpu [0-9.]+ s, [0-9.]+ us' "$logs/$n.out" | grep -Eo '[0-9.]+ us' | cut -d' ' -f1) || true
  done
  local ratio
  ratio=$(awk -v m="$cpu_mysql" -v s="$cpu_sqlite" -v d="$mdb" 'BEGIN {
    printf "%.2f", m / s; if (d != "") printf " (%.2f counting mariadbd)", (m + d) / s }')
  measured="${out[0]}; ${out[1]}; MariaDB/SQLite CPU per request $ratio"
  [ "$errs" -eq 0 ]
}

enroll() {
  command="benchmarks/agent_sim/enroll_burst.sh $shown --store sqlite|mysql $*"
  local s n rc out=() bad=0
  for s in sqlite mysql; do
    n=enroll.$s
    rc=0
    run "$n" "$here/agent_sim/enroll_burst.sh" "$build" --store "$s" "$@" || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || bad=1 # 3: no error, some host enrolled late
    grep -q '^enroll_burst:' "$logs/$n.out" || return 1
    out+=("$(store_name "$s"): $(num "$logs/$n.out" '[0-9.]+ enrollments/s')/s ($(grep -Eo '[0-9]+ of [0-9]+ enrolled' "$logs/$n.out")), $(num "$logs/$n.out" 'errors [0-9]+') errors, read p99 $(num "$logs/$n.out" 'read p99 [0-9.]+') ms")
  done
  measured="${out[0]}; ${out[1]}"
  [ "$bad" -eq 0 ]
}

config_gap() {
  command="benchmarks/agent_sim/measure.sh $shown $* --store sqlite|mysql"
  local s n out=() errs=0
  for s in sqlite mysql; do
    n=config_gap.$s
    run "$n" "$here/agent_sim/measure.sh" "$build" "$@" --store "$s" || return 1
    json_of "$n"
    local j=$logs/$n.json
    errs=$((errs + $(jnum "$j" errors) + $(jnum "$j" connection_errors)))
    out+=("$(store_name "$s"): $(awk -v c="$(jnum "$j" p99_ms config)" -v r="$(jnum "$j" p99_ms read)" 'BEGIN { printf "%.2f ms (config %.2f, read %.2f)", c - r, c, r }')")
  done
  measured="${out[0]}; ${out[1]}"
  [ "$errs" -eq 0 ]
}

tls() {
  command="benchmarks/agent_sim/tls_compare.sh $shown $*"
  local rc=0 f=$logs/tls.out
  run tls "$here/agent_sim/tls_compare.sh" "$build" "$@" || rc=$?
  grep -q '^rsa-2048' "$f" || return 1
  # columns: variant, cpu us/req, read p50, read p99, handshakes/s, resumed, errors, ratio
  measured=$(awk '$1 == "plain" || $1 == "ecdsa-p256" || $1 == "rsa-2048" {
      p99[$1] = $4; ratio[$1] = $8; hs[$1] = $5; res[$1] = $6; err += $7 }
    END { printf "read p99 %.2f / %.2f / %.2f ms (plain / ECDSA / RSA); TLS/plain CPU per request ECDSA %.2f, RSA %.2f; %s handshakes/s (resumed %s, %s); %d errors",
      p99["plain"], p99["ecdsa-p256"], p99["rsa-2048"], ratio["ecdsa-p256"], ratio["rsa-2048"],
      hs["ecdsa-p256"], res["ecdsa-p256"], res["rsa-2048"], err }' "$f")
  return "$rc"
}

spec_apply() {
  command="build/benchmarks/spec_apply/spec_apply_bench --store sqlite|mysql --scale $1"
  command=${command/build/$shown}
  local s n out=()
  for s in sqlite mysql; do
    n=spec_apply.$s
    run "$n" "$build/benchmarks/spec_apply/spec_apply_bench" --store "$s" --scale "$1" || return 1
    grep '^{' "$logs/$n.out" | tail -1 >"$logs/$n.json"
    out+=("$(store_name "$s") $(fmt "$(jnum "$logs/$n.json" total first_apply_ms)" %.1f) ms (re-apply $(fmt "$(jnum "$logs/$n.json" total reapply_ms)" %.1f))")
  done
  measured="first apply: ${out[0]}; ${out[1]}"
}

million() {
  command="benchmarks/agent_sim/measure.sh $shown $* --store sqlite"
  run million "$here/agent_sim/measure.sh" "$build" "$@" --store sqlite || return 1
  json_of million
  local j=$logs/million.json e
  e=$(($(jnum "$j" errors) + $(jnum "$j" connection_errors)))
  measured="read p99 $(fmt "$(jnum "$j" p99_ms read)" %.2f) ms, $(num "$logs/million.out" '[0-9]+ bytes per host') bytes/host, $e errors, $(num "$logs/million.out" '[0-9.]+ us per request') µs/request, enrollment $(fmt "$(jnum "$j" enrolls_per_s)" %.0f)/s"
  [ "$e" -eq 0 ]
}

# A fresh Flotilla on SQLite for the live query benchmarks: sets $url.
fresh_server() {
  stop_served
  rm -f "$dir/lq.db"*
  serve "flotilla.$1" "$build/flotilla" serve --server_address 127.0.0.1:0 \
    --sqlite_path "$dir/lq.db" --osquery_result_log_file "$dir/r" --osquery_status_log_file "$dir/s"
  url=$served
  setup "$url"
}

# Lost / duplicated / unfinished from a live_query_bench summary (the top-level ones
# come after the campaigns', so the last occurrence).
lq_last() { grep -Eo "\"$2\":[0-9]+" "$1" | tail -1 | cut -d: -f2; }

live_query() {
  command="build/benchmarks/live_query/live_query_bench --url URL --email E --password P $*"
  command=${command/build/$shown}
  local rc=0 j=$logs/live_query.json
  fresh_server lq
  run live_query "$build/benchmarks/live_query/live_query_bench" --url "$url" \
    --email bench@example.com --password bench-password "$@" || rc=$?
  grep '^{' "$logs/live_query.out" | tail -1 >"$j"
  [ -s "$j" ] || return 1
  measured=$(
    awk -v lost="$(lq_last "$j" lost)" -v dup="$(lq_last "$j" duplicates)" \
      -v unf="$(lq_last "$j" unfinished)" \
      -v done_ms="$(grep -Eo '"all_answered_ms":[-0-9.eE+]+' "$j" | cut -d: -f2 | sort -g | tail -1)" \
      -v first_ms="$(grep -Eo '"first_result_ms":[-0-9.eE+]+' "$j" | cut -d: -f2 | sort -g | tail -1)" \
      -v before="$(jnum "$j" p99_ms read_without_campaigns)" \
      -v during="$(jnum "$j" p99_ms read_with_campaigns)" \
      -v open="$(jnum "$j" concurrent_campaigns)" 'BEGIN {
      printf "completion ≤ %.2f s (first result ≤ %.0f ms); lost %d, duplicated %d, unfinished %d", done_ms / 1000, first_ms, lost, dup, unf
      if (open != "") printf "; read p99 %.2f → %.2f ms with %d campaigns open", before, during, open }'
  )
  return "$rc"
}

subscribers() {
  command="build/benchmarks/live_query/live_query_bench --url URL --email E --password P $*"
  command=${command/build/$shown}
  if ! "$build/benchmarks/live_query/live_query_bench" --help 2>&1 | grep -q -- --subscribers; then
    measured="not available (this live_query_bench has no --subscribers)"
    return 0
  fi
  local rc=0 j=$logs/subscribers.json
  fresh_server subs
  run subscribers "$build/benchmarks/live_query/live_query_bench" --url "$url" \
    --email bench@example.com --password bench-password "$@" || rc=$?
  grep '^{' "$logs/subscribers.out" | tail -1 >"$j"
  [ -s "$j" ] || return 1
  measured="lost $(lq_last "$j" lost), duplicated $(lq_last "$j" duplicates), unfinished $(lq_last "$j" unfinished) (full summary in the log)"
  return "$rc"
}

# The campaign lines of a campaign.sh log, summarised: slowest completion, lost and
# duplicated in total, the server's cores while the campaigns ran (range).
campaign_summary() {
  awk '/^campaign [0-9]+:/ {
      for (i = 1; i <= NF; ++i) {
        if ($i == "in" && $(i + 2) == "s") { t = $(i + 1) + 0; if (t > worst) worst = t }
        if ($i == "lost") lost += $(i + 1)
        if ($i == "duplicated") dup += $(i + 1)
        if ($i == "cores,") { c = $(i - 1) + 0; if (!n || c < lo) lo = c; if (c > hi) hi = c; ++n }
        if ($i == "replayed") { r = $(i + 1) + 0; if (!m || r < rlo) rlo = r; if (r > rhi) rhi = r; ++m }
      }
    }
    END { printf "answered in ≤ %.2f s, lost %d, duplicated %d, server %.2f–%.2f cores, replay %d–%d results/s", worst, lost, dup, lo, hi, rlo, rhi }' "$1"
}

campaign_tls() {
  command="benchmarks/live_query/campaign.sh $shown $* [--tls ecdsa|rsa]"
  local v n out=() rc=0
  for v in plain ecdsa rsa; do
    n=campaign_tls.$v
    local t=()
    [ "$v" = plain ] || t=(--tls "$v")
    run "$n" "$here/live_query/campaign.sh" "$build" "$@" "${t[@]}" || rc=1
    grep -q '^server:' "$logs/$n.out" || return 1
    out+=("$v: $(campaign_summary "$logs/$n.out"), $(grep -Eo 'agent errors [0-9]+' "$logs/$n.out")")
  done
  measured="${out[0]}; ${out[1]}; ${out[2]}"
  return "$rc"
}

campaign_million() {
  command="benchmarks/live_query/campaign.sh $shown $*"
  local rc=0
  run campaign_million "$here/live_query/campaign.sh" "$build" "$@" || rc=$?
  grep -q '^server:' "$logs/campaign_million.out" || return 1
  measured="$(campaign_summary "$logs/campaign_million.out"), of $(grep -Eo '[0-9]+ results of [0-9]+ online hosts' "$logs/campaign_million.out"); $(grep -Eo '[0-9]+ bytes per host; agent errors [0-9]+' "$logs/campaign_million.out")"
  return "$rc"
}

ceiling() {
  command="benchmarks/checkin_ceiling/compare.sh $shown $*"
  run ceiling "$here/checkin_ceiling/compare.sh" "$build" "$@" || return 1
  measured="$(tail -1 "$logs/ceiling.out"); server $(num "$logs/ceiling.out" '[0-9.]+ us per request') µs per read"
}

# --- run them ---------------------------------------------------------------------------

trim() { sed 's/^ *//; s/ *$//' <<<"$1"; }
results=() failed=0 started=$SECONDS
while IFS='|' read -r figure goal fn full small; do
  figure=$(trim "$figure") goal=$(trim "$goal") fn=$(trim "$fn")
  [ -z "$only" ] || grep -Eq "$only" <<<"$figure $fn" || continue
  if [ "$quick" = 1 ]; then args=$(trim "$small"); else args=$(trim "$full"); fi
  echo "== $figure" >&2
  measured="" command="" rc=0
  t0=$SECONDS
  # shellcheck disable=SC2086 # the arguments are words
  "$fn" $args || rc=$?
  if [ "$rc" -ne 0 ]; then
    failed=1 keep=1
    measured="FAILED${measured:+: $measured} (logs: $logs/$fn.*)"
    for f in "$logs/$fn"*.err "$logs/$fn"*.out; do
      [ ! -s "$f" ] || { echo "--- $f (last lines)" && tail -5 "$f"; } >&2
    done
  fi
  echo "   ($((SECONDS - t0)) s) $measured" >&2
  results+=("| $figure | $measured | $goal | \`${command:-$fn $args}\` |")
done <<<"$table"

echo
echo "Flotilla benchmarks ($([ "$quick" = 1 ] && echo "--quick: tiny sizes, figures prove the tools run, not the goals" || echo full)), $((SECONDS - started)) s, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| figure | measured | goal | command |"
echo "|---|---|---|---|"
printf '%s\n' "${results[@]}"
exit "$failed"
