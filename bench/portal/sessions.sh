#!/usr/bin/env bash
# Memory per 10,000 active sessions (issue 4). Sessions live in the database, so:
# (a) server RSS: after start, after 64 sessions made requests, and after COUNT more distinct
#     sessions each made a request (twice over), from /proc/PID/status (VmRSS, and VmHWM = peak);
# (b) database bytes per session: the sessions table with its indexes before and after inserting
#     COUNT sessions (SQLite: dbstat pages after a WAL checkpoint; PostgreSQL:
#     pg_total_relation_size after VACUUM), and again after every session was seen once (seeing a
#     session updates its last_seen_at).
#
#   bench/portal/sessions.sh                    # SQLite and PostgreSQL, COUNT=10000
#   DBS=sqlite COUNT=1000 bench/portal/sessions.sh
#
# Sessions beyond the 64 of `portal_bench setup` are inserted by `portal_bench sessions` (the row
# a login writes, without a login's Argon2 work each), spread over the 64 users.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DBS=${DBS:-sqlite postgres}
COUNT=${COUNT:-10000}
need wrk "apt-get install wrk"
build
kib() { awk -v r="$1" -v h="$2" 'BEGIN {printf "RSS %.1f MiB (peak %.1f MiB)", r/1024, h/1024}'; }
for engine in $DBS; do
  echo "== $engine (load average $(cut -d" " -f1-3 /proc/loadavg))"
  fresh_db "$engine" sessions
  "$bench_tool" setup --accounts 64 --tokens "$work/tokens64.txt" 2>&1
  start_server
  sleep 1
  echo "server after start: $(kib $(rss "$server"))"
  wrk -t2 -c64 -d5s -s "$root/bench/portal/sessions.lua" "http://127.0.0.1:$PORT/account" \
    -- "$work/tokens64.txt" 2 | grep -E "requests in|responses by" || true
  sleep 1
  echo "server after 64 sessions for 5 s: $(kib $(rss "$server"))"
  "$bench_tool" sessions --count "$COUNT" --tokens "$work/tokens.txt"
  "$bench_tool" stats
  for pass in 1 2; do
    # wrk runs for the whole -d even when every thread stopped early; the stats line below
    # shows whether every session was seen.
    wrk -t2 -c64 -d"${PASS_SECONDS:-30}s" -s "$root/bench/portal/sessions.lua" "http://127.0.0.1:$PORT/account" \
      -- "$work/tokens.txt" 2 once | grep -E "requests in|responses by" || true
    echo "server after $COUNT more sessions each made a request (pass $pass): $(kib $(rss "$server"))"
    "$bench_tool" stats
  done
  stop_server
  drop_db
done
