#!/usr/bin/env bash
# ACH Refund Authorization figures (issue 5):
#  1. the tab (GET /account/sub/ID/ach) with 200 importer numbers in one sub-account, every one
#     enrolled and Active, a notify party on every tenth, under 64 concurrent users (64 sessions
#     of 64 users of the account, 64 connections). Target: p99 < 30 ms.
#  2. loading the FedACH directory sample (parse + replace in one transaction) and single
#     routing-number lookups.
#  3. the encryption cost per enrollment read (open one sealed account number) and write (seal +
#     blind index).
#
#   bench/ach/run.sh                          # SQLite and PostgreSQL, 3 runs of 30 s
#   DBS=sqlite RUNS=1 DURATION=10 bench/ach/run.sh
#
# FEDACH (default ../shared/testdata/fedach/FedACHdir-2018-sample.txt) is the directory file.
# wrk and the server share the 2 cores, as in bench/portal/account.sh.
set -euo pipefail
source "$(dirname "$0")/../portal/lib.sh"
RUNS=${RUNS:-3}
DBS=${DBS:-sqlite postgres}
DURATION=${DURATION:-30}
FEDACH=${FEDACH:-$root/../shared/testdata/fedach/FedACHdir-2018-sample.txt}
ach_bench="$target/examples/ach_bench"
need wrk "apt-get install wrk"
build
echo "== encryption per enrollment (one core)"
"$ach_bench" crypto --n 20000
for engine in $DBS; do
  fresh_db "$engine" ach
  if [ -f "$FEDACH" ]; then
    echo "== $engine: FedACH directory"
    "$ach_bench" directory --file "$FEDACH" --lookups 20000
  fi
  "$ach_bench" setup --numbers 200 --users 64 --tokens "$work/tokens.txt" --sub "$work/sub.txt"
  sub=$(cat "$work/sub.txt")
  start_server
  # Every session once, so each is known good before measuring (all 200).
  wrk -t2 -c64 -d2s -s "$root/bench/portal/sessions.lua" "http://127.0.0.1:$PORT/account/sub/$sub/ach" \
    -- "$work/tokens.txt" 2 once | grep -E "responses by" || true
  bytes=$(curl -s -b "ace_session=$(head -1 "$work/tokens.txt")" "http://127.0.0.1:$PORT/account/sub/$sub/ach" | wc -c)
  rows=$(curl -s -b "ace_session=$(head -1 "$work/tokens.txt")" "http://127.0.0.1:$PORT/account/sub/$sub/ach" |
    grep -c 'id="importer-' || true)
  echo "the tab: $rows rows, $bytes bytes"
  [ "$rows" -eq 200 ] || { echo "expected 200 rows on the tab" >&2; exit 1; }
  # A browser asks for gzip: the page must decode to exactly the plain page (same CSRF cookie, so
  # the same token in the page).
  cookies="ace_session=$(head -1 "$work/tokens.txt"); ace_csrf=$(printf 'ab%.0s' $(seq 32))"
  tab_url="http://127.0.0.1:$PORT/account/sub/$sub/ach"
  plain=$(curl -s -b "$cookies" "$tab_url" | sha256sum)
  gz=$(curl -s --compressed -b "$cookies" "$tab_url" | sha256sum)
  gz_bytes=$(curl -s -H "Accept-Encoding: gzip" -b "$cookies" "$tab_url" | wc -c)
  [ "$plain" = "$gz" ] || { echo "the gzip page does not decode to the plain page" >&2; exit 1; }
  echo "the tab with Accept-Encoding: gzip: $gz_bytes bytes, decodes to the plain page"
  for run in $(seq 1 "$RUNS"); do
    # "plain": no Accept-Encoding, as wrk sends by default; "gzip": as a browser asks.
    for what in "/account/sub/$sub/ach plain" "/account/sub/$sub/ach gzip" "/healthz plain"; do
      read -r path encoding <<< "$what"
      accept=()
      [ "$encoding" = gzip ] && accept=(-H "Accept-Encoding: gzip, deflate, br")
      load=$(cut -d" " -f1-3 /proc/loadavg)
      echo "== $engine run $run: GET $path, $encoding (64 connections, 64 users, ${DURATION}s; load average $load)"
      wrk -t2 -c64 -d"${DURATION}s" --latency "${accept[@]}" -s "$root/bench/portal/sessions.lua" \
        "http://127.0.0.1:$PORT$path" -- "$work/tokens.txt" 2 |
        grep -E "Requests/sec|^ +(50|99)%|responses by|Socket errors"
    done
  done
  stop_server
  drop_db
done
