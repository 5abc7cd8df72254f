#!/usr/bin/env bash
# A private, throwaway MariaDB server for tests (never the system one).
#   scripts/mariadb.sh start DIR   initialises DIR and starts a server whose
#                                  socket is DIR/mysqld.sock (root, no password)
#   scripts/mariadb.sh stop DIR    stops it and removes DIR
# FLOTILLA_MARIADB_BUFFER_POOL sets the InnoDB buffer pool size (default 64M; e.g. 512M
# for load benchmarks). The server's own output goes to DIR/mariadbd.out, so a caller
# capturing this script's output is not held open by it.
set -euo pipefail
cmd="${1:?usage: mariadb.sh start|stop DIR}"
dir="${2:?usage: mariadb.sh start|stop DIR}"
user="$(id -un)"
case "$cmd" in
start)
  mkdir -p "$dir"
  mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/mysqld.sock" --skip-networking \
    --pid-file="$dir/mariadb.pid" --user="$user" \
    --innodb-buffer-pool-size="${FLOTILLA_MARIADB_BUFFER_POOL:-64M}" \
    --innodb-log-file-size=16M --skip-name-resolve --max-connections=500 \
    --log-error="$dir/error.log" </dev/null >"$dir/mariadbd.out" 2>&1 &
  for _ in $(seq 1 600); do
    mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 && exit 0
    sleep 0.05
  done
  echo "mariadb.sh: MariaDB did not start within 30 s; its log:" >&2
  cat "$dir/error.log" >&2
  exit 1
  ;;
stop)
  if [ -S "$dir/mysqld.sock" ]; then
    mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot shutdown >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/mariadb.pid" ]; then
    pid="$(cat "$dir/mariadb.pid" 2>/dev/null || true)"
    for _ in $(seq 1 200); do
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: mariadb.sh start|stop DIR" >&2
  exit 2
  ;;
esac
