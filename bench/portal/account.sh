#!/usr/bin/env bash
# The account overview page under load (issue 4): GET /account with 64 concurrent portal sessions,
# each connection sending another session's cookie, against /healthz of the same server with the
# same wrk script. Target: p99 < 25 ms. Also GET / with the same cookies: it checks the session
# (one SELECT, one UPDATE of last_seen_at) and answers 303 to /account, so it shows what the
# session check alone costs.
#
#   bench/portal/account.sh                     # SQLite and PostgreSQL, 3 runs of 30 s each
#   DBS=postgres RUNS=1 DURATION=10 bench/portal/account.sh
#
# Per engine, on a fresh database: 10,000 generated 5106 records in the registry (as
# bench/http/run.sh), 64 trade accounts made by `portal_bench setup` (application, code,
# password, email second factor: each ends in a full session, whose cookie value goes to a file),
# then `serve` and `wrk -t2 -c64 -d${DURATION}s --latency -s bench/portal/sessions.lua`. wrk and
# the server share the 2 cores, as in bench/http/run.sh. Sessions stay valid: the idle timeout
# is 15 minutes and every run uses all of them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
DBS=${DBS:-sqlite postgres}
DURATION=${DURATION:-30}
need wrk "apt-get install wrk"
build
python3 "$root/bench/import/gen_importers.py" 10000 > "$work/registry.csv"
for engine in $DBS; do
  fresh_db "$engine" account
  "$bin" importer import "$work/registry.csv" > /dev/null
  "$bench_tool" setup --accounts 64 --tokens "$work/tokens.txt" 2>&1
  start_server
  # Every session once, so each is known good before measuring (all 200).
  wrk -t2 -c64 -d2s -s "$root/bench/portal/sessions.lua" "http://127.0.0.1:$PORT/account" \
    -- "$work/tokens.txt" 2 once | grep -E "requests in|responses by" || true
  # GET / must find the session (303 to /account, not to /login) for its figure to mean anything.
  loc=$(curl -s -o /dev/null -w '%{redirect_url}' -b "ace_session=$(head -1 "$work/tokens.txt")" \
    "http://127.0.0.1:$PORT/")
  [[ "$loc" == */account ]] || { echo "GET / with a session led to '$loc', not /account" >&2; exit 1; }
  for run in $(seq 1 "$RUNS"); do
    for path in /account / /healthz; do
      load=$(cut -d" " -f1-3 /proc/loadavg)
      echo "== $engine run $run: GET $path (64 connections, 64 sessions, ${DURATION}s; load average $load)"
      wrk -t2 -c64 -d"${DURATION}s" --latency -s "$root/bench/portal/sessions.lua" \
        "http://127.0.0.1:$PORT$path" -- "$work/tokens.txt" 2 |
        grep -E "Requests/sec|^ +(50|99)%|responses by|Socket errors"
    done
  done
  stop_server
  drop_db
done
