# shellcheck shell=bash disable=SC2034,SC2154 # sourced: the callers set $dir and read what this sets
# Shared by the benchmark scripts (sourced): starting servers and setting up Flotilla.
# The caller sets $dir (a scratch directory) and cleans up the PIDs in ${pids[@]}.

pids=()

# A scratch directory in $dir, removed at exit after what serve() and start_store made
# is stopped (kept when FLOTILLA_BENCH_KEEP is set), and room for many connections.
scratch() {
  dir=$(mktemp -d)
  trap 'stop_served; stop_store; [ -n "${FLOTILLA_BENCH_KEEP:-}" ] || rm -rf "$dir"' EXIT
  ulimit -n 65536 2>/dev/null || true
}

# Starts "$@" with stdout in $dir/$name.out; sets $served to the URL it says it serves
# on and $served_pid to its PID.
serve() {
  local name=$1
  shift
  "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
  served_pid=$!
  pids+=("$served_pid")
  served=""
  for _ in $(seq 100); do
    served=$(grep -o 'serving on https\?://[0-9.:]*' "$dir/$name.out" | head -1 | cut -d' ' -f3) || true
    [ -n "$served" ] && return
    sleep 0.1
  done
  echo "$name did not start" >&2
  cat "$dir/$name.err" >&2
  exit 1
}

# Completes setup on Flotilla at $1 (admin bench@example.com / bench-password);
# sets $secret to its enroll secret.
setup() {
  curl -sfk -X POST "$1/api/v1/setup" -d '{"server_url":"https://localhost","admin":{"name":"A","email":"bench@example.com","password":"bench-password"}}' >"$dir/setup.json"
  local token
  token=$(grep -o '"token":"[^"]*"' "$dir/setup.json" | cut -d'"' -f4)
  secret=$(curl -sfk -H "Authorization: Bearer $token" "$1/api/v1/fleet/spec/enroll_secret" |
    grep -o '"secret":"[^"]*"' | head -1 | cut -d'"' -f4)
}

# Kills what serve() started.
stop_served() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}

lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The store a benchmark's server uses. start_store FLOTILLA_BINARY sqlite|mysql sets
# ${store_flags[@]} (flotilla serve's store options) and $store_desc.
#   sqlite: a fresh file in $dir.
#   mysql:  a fresh database, migrated with `flotilla prepare db`, on the server named by
#           FLOTILLA_BENCH_MYSQL_ADDRESS (socket path or host:port; _USERNAME, default
#           root; _PASSWORD, default empty); without it, on a private throwaway MariaDB
#           in $dir/mariadb (scripts/mariadb.sh; FLOTILLA_MARIADB_BUFFER_POOL sizes its
#           buffer pool, default 64M), whose PID is then $mariadb_pid.
# stop_store (after stop_served, before $dir is removed) drops or stops what it made.
store_flags=()
store_desc=""
mariadb_dir=""
mariadb_pid=""
bench_db=""
mysql_cmd=()
start_store() {
  local flotilla=$1 store=$2 addr user pass
  case "$store" in
  sqlite)
    store_flags=(--sqlite_path "$dir/f.db")
    store_desc=sqlite
    ;;
  mysql)
    if [ -n "${FLOTILLA_BENCH_MYSQL_ADDRESS:-}" ]; then
      addr=$FLOTILLA_BENCH_MYSQL_ADDRESS
      user=${FLOTILLA_BENCH_MYSQL_USERNAME:-root}
      pass=${FLOTILLA_BENCH_MYSQL_PASSWORD:-}
      store_desc="mysql at $addr"
    else
      mariadb_dir="$dir/mariadb"
      if ! "$lib_dir/../scripts/mariadb.sh" start "$mariadb_dir" >"$dir/mariadb-start.out" 2>&1; then
        echo "the throwaway MariaDB did not start:" >&2
        cat "$dir/mariadb-start.out" >&2
        mariadb_dir=""
        exit 1
      fi
      mariadb_pid=$(cat "$mariadb_dir/mariadb.pid")
      addr="$mariadb_dir/mysqld.sock" user=root pass=""
      store_desc="mysql (throwaway MariaDB, buffer pool ${FLOTILLA_MARIADB_BUFFER_POOL:-64M})"
    fi
    mysql_cmd=(mariadb --no-defaults -u"$user")
    [ -z "$pass" ] || mysql_cmd+=(-p"$pass")
    case "$addr" in
    /*) mysql_cmd+=(--socket="$addr") ;;
    *) mysql_cmd+=(--protocol=tcp -h "${addr%:*}" -P "${addr##*:}") ;;
    esac
    bench_db="flotilla_bench_$$_$RANDOM"
    "${mysql_cmd[@]}" -e "CREATE DATABASE $bench_db CHARACTER SET utf8mb4"
    store_flags=(--mysql_address "$addr" --mysql_username "$user" --mysql_password "$pass"
      --mysql_database "$bench_db")
    if ! "$flotilla" prepare db "${store_flags[@]}" >"$dir/prepare.out" 2>&1; then
      echo "flotilla prepare db failed:" >&2
      cat "$dir/prepare.out" >&2
      exit 1
    fi
    ;;
  *)
    echo "unknown store '$store' (sqlite or mysql)" >&2
    exit 2
    ;;
  esac
}

stop_store() {
  local p
  for p in "${pids[@]}"; do # the server first: it holds the database
    for _ in $(seq 100); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
  done
  if [ -n "$mariadb_dir" ]; then
    "$lib_dir/../scripts/mariadb.sh" stop "$mariadb_dir" >/dev/null 2>&1 || true
    mariadb_dir=""
  elif [ -n "$bench_db" ]; then
    "${mysql_cmd[@]}" -e "DROP DATABASE IF EXISTS $bench_db" 2>/dev/null || true
  fi
  bench_db=""
}

# The CPU time (utime + stime, clock ticks) PID $1 has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# jnum FILE KEY [OBJECT]: the number KEY of a JSON summary (the first one; inside the
# first object named OBJECT, such as read, when given), printed plainly ("" if absent).
jnum() {
  local src
  src=$(cat "$1")
  [ -z "${3:-}" ] || src=$(grep -o "\"$3\":{[^}]*}" <<<"$src" | head -1)
  grep -o "\"$2\":[-+0-9.eE]*" <<<"$src" | head -1 | cut -d: -f2 | awk '{ printf "%.6g\n", $1 }'
}
