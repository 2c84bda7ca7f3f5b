#!/usr/bin/env bash
# The two most visited portal pages at stated rates of page views (open loop), issues 4 and 5:
# the account overview (GET /account, target p99 < 25 ms) and the ACH tab with 200 importer
# numbers (GET /account/sub/ID/ach asking for gzip, target p99 < 30 ms), each from 64 sessions, and
# /healthz at the same rates for reference.
#
# bench/portal/account.sh and bench/ach/run.sh keep 64 requests in flight (wrk): their p99 is how
# long a request queues behind 63 others on the 2 cores the server shares with wrk and the
# database, i.e. the host's saturation. Here each session asks on a fixed schedule and latency is
# counted from when a request was due (examples/open_load.rs in crates/web), so the figure is the
# page view's time at that rate, queueing included once the server falls behind.
#
#   bench/portal/open.sh                               # PostgreSQL, rates 250 500 1000 1500 2000
#   DBS="sqlite postgres" RATES="500 1000" DURATION=20 bench/portal/open.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DBS=${DBS:-postgres}
RATES=${RATES:-250 500 1000 1500 2000}
DURATION=${DURATION:-20}
open_load="$target/examples/open_load"
if [ -z "${SKIP_BUILD:-}" ]; then
  build
  (cd "$root" && cargo build -q --release -p web --example open_load)
fi
[ -x "$open_load" ] || { echo "$open_load is missing: cargo build --release -p web --example open_load" >&2; exit 1; }

sweep() { # label URL [--gzip]
  for rate in $RATES; do
    printf '%-8s %5s/s  load %s  ' "$1" "$rate" "$(cut -d" " -f1 /proc/loadavg)"
    "$open_load" --url "$2" --tokens "$work/tokens.txt" --rate "$rate" --duration "$DURATION" "${@:3}"
  done
}

python3 "$root/bench/import/gen_importers.py" 10000 > "$work/registry.csv"
for engine in $DBS; do
  echo "== $engine: /account of 64 trade accounts (one session each), /healthz"
  fresh_db "$engine" account
  "$bin" importer import "$work/registry.csv" > /dev/null
  "$bench_tool" setup --accounts 64 --tokens "$work/tokens.txt" > /dev/null
  start_server
  sweep account "http://127.0.0.1:$PORT/account"
  sweep healthz "http://127.0.0.1:$PORT/healthz"
  stop_server
  drop_db

  echo "== $engine: the ACH tab, 200 numbers, 64 users of one account (gzip)"
  fresh_db "$engine" ach
  "$target/examples/ach_bench" setup --numbers 200 --users 64 --tokens "$work/tokens.txt" --sub "$work/sub.txt" > /dev/null
  start_server
  sweep tab "http://127.0.0.1:$PORT/account/sub/$(cat "$work/sub.txt")/ach" --gzip
  stop_server
  drop_db
done
