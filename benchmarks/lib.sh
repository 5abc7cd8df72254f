# Shared by the benchmark scripts (sourced): starting servers and setting up Flotilla.
# The caller sets $dir (a scratch directory) and cleans up the PIDs in ${pids[@]}.

pids=()

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
