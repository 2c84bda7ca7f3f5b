# Shared by bench/portal/*.sh (sourced, not run): paths, the release build, a fresh database
# per measurement, and starting/stopping `ace-refunds serve`.
#
# Environment: SKIP_BUILD=1 skips the release build; CARGO_TARGET_DIR as for cargo; PORT (default
# 18182); PG_ADMIN (default postgres://postgres@127.0.0.1:5432), whose user may create databases.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PORT=${PORT:-18182}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
target="${CARGO_TARGET_DIR:-$root/target}/release"
bin="$target/ace-refunds"
bench_tool="$target/examples/portal_bench"
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d)
server=""
pg_dbs=()

cleanup() {
  stop_server
  for db in "${pg_dbs[@]}"; do
    psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" > /dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

build() {
  [ -n "${SKIP_BUILD:-}" ] && return
  (cd "$root" && cargo build -q --release -p ace-refunds && cargo build -q --release -p app --examples)
}

need() { # command, how to get it
  command -v "$1" > /dev/null || { echo "$1 is needed: $2" >&2; exit 1; }
}

# fresh_db ENGINE NAME: an empty database; sets DATABASE_URL (read by `serve` and portal_bench) and
# ACE_DATA_DIR (the outbox of `serve` goes there).
fresh_db() {
  export ACE_DATA_DIR="$work/$2"
  mkdir -p "$ACE_DATA_DIR"
  if [ "$1" = postgres ]; then
    local db="ace_bench_portal_${2}_$$"
    psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" > /dev/null
    psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $db"
    pg_dbs+=("$db")
    export DATABASE_URL="$PG_ADMIN/$db"
  else
    export DATABASE_URL="sqlite://$ACE_DATA_DIR/bench.db?mode=rwc"
  fi
}

drop_db() {
  if [[ "$DATABASE_URL" == postgres* ]]; then
    psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS ${DATABASE_URL##*/} WITH (FORCE)" > /dev/null
  fi
  rm -rf "$ACE_DATA_DIR"
}

# start_server [PREFIX...]: `serve` on $PORT (e.g. `start_server taskset -c 1`); waits for /healthz.
start_server() {
  ACE_LOG=warn "$@" "$bin" serve --listen "127.0.0.1:$PORT" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && return
    kill -0 "$server" 2> /dev/null || break
    sleep 0.05
  done
  cat "$work/server.log" >&2
  echo "serve did not start" >&2
  exit 1
}

stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2> /dev/null || true
    wait "$server" 2> /dev/null || true
    server=""
  fi
}

# rss PID: resident set size and its peak, in KiB ("VmRSS VmHWM").
rss() {
  awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {print r, h}' "/proc/$1/status"
}
