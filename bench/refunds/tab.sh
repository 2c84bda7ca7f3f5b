#!/usr/bin/env bash
# The importer's Refunds tab (issue 16): an importer with FOCUS refunds among REFUNDS in all
# (`demo seed`), its Trade Account Owner opening the tab at RATES page views/s (open loop, 64
# sessions, latency counted from when each view was due: crates/web/examples/open_load.rs).
# Three views: the first page, the second page (keyset link of the first), and the first page
# filtered on "held" (rarer among the importer's refunds, so more index entries per row shown).
#
#   bench/refunds/tab.sh                                    # 10,000,000 refunds, PostgreSQL then SQLite
#   REFUNDS=1000000 FOCUS=100000 DBS=sqlite bench/refunds/tab.sh
set -euo pipefail
source "$(dirname "$0")/../portal/lib.sh"
DBS=${DBS:-postgres sqlite}
REFUNDS=${REFUNDS:-10000000}
IMPORTERS=${IMPORTERS:-100000}
FOCUS=${FOCUS:-100000}
RATES=${RATES:-200}
DURATION=${DURATION:-30}
open_load="$target/examples/open_load"
if [ -z "${SKIP_BUILD:-}" ]; then
  build
  (cd "$root" && cargo build -q --release -p web --example open_load)
fi

for engine in $DBS; do
  echo "== $engine: $REFUNDS refunds over $IMPORTERS importers, $FOCUS of them the first importer's"
  fresh_db "$engine" tab
  /usr/bin/time -f "seed: %e s, peak RSS %M KiB" "$bin" demo seed --importers "$IMPORTERS" --refunds "$REFUNDS" \
    --focus-refunds "$FOCUS" > "$work/seed.out" 2> "$work/seed.err" || { cat "$work/seed.err"; exit 1; }
  tail -n 1 "$work/seed.err"
  # A server lives with statistics its autovacuum has gathered; right after a 10,000,000-row
  # seed PostgreSQL has none yet and its autovacuum would run during the measurement.
  if [ "$engine" = postgres ]; then
    /usr/bin/time -f "VACUUM ANALYZE: %e s" psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
  fi
  email=$(awk '/Email:/ {print $2; exit}' "$work/seed.out")
  "$bench_tool" sessions --count 64 --user "$email" --tokens "$work/tokens.txt" > /dev/null
  start_server
  cookie="ace_session=$(head -n 1 "$work/tokens.txt")"
  base="http://127.0.0.1:$PORT"
  sub=$(curl -sf -b "$cookie" "$base/account" | grep -o '/account/sub/[0-9]*' | head -n 1 || true)
  [ -n "$sub" ] || { echo "no Importer sub-account on /account of $email" >&2; exit 1; }
  tab="$sub/refunds"
  first=$(curl -sf -b "$cookie" "$base$tab")
  rows=$(grep -c 'href="/account/sub/[0-9]*/refunds/' <<< "$first" || true)
  next=$(grep -o "$tab?[^\"]*before=[0-9]*" <<< "$first" | head -n 1 | sed 's/&amp;/\&/g' || true)
  [ "$rows" -gt 0 ] && [ -n "$next" ] || { echo "the tab shows $rows refunds and no next page" >&2; exit 1; }
  echo "tab $tab: $rows refunds on the first page; next page $next"
  for rate in $RATES; do
    for view in "$tab" "$next" "$tab?status=held_ach_rejected"; do
      printf '%-60s %4s/s  ' "$view" "$rate"
      "$open_load" --url "$base$view" --tokens "$work/tokens.txt" --rate "$rate" --duration "$DURATION"
    done
  done
  stop_server
  if [ -n "${KEEP_DB:-}" ] && [ "$engine" = postgres ]; then
    # KEEP_DB=1 leaves the PostgreSQL database for a look at the plans; drop it by hand.
    echo "kept: $DATABASE_URL"
    pg_dbs=()
  else
    drop_db
  fi
done
