#!/usr/bin/env bash
# Times `ace-refunds importer import` of N generated 5106 rows on a fresh SQLite file and a fresh
# PostgreSQL database, and prints rows/s and peak RSS for each (from /usr/bin/time -v).
#
#   bench/import/run.sh            # N=1000000
#   N=100000 RUNS=3 bench/import/run.sh
#   ENGINES=sqlite BIN=/path/to/other/ace-refunds SKIP_BUILD=1 bench/import/run.sh   # one engine, another build
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
N=${N:-1000000}
RUNS=${RUNS:-1}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
csv=${CSV:-/tmp/ace-importers-$N.csv}
[ -n "${SKIP_BUILD:-}" ] || (cd "$root" && cargo build -q --release -p ace-refunds)
ENGINES=${ENGINES:-sqlite postgres}
bin=${BIN:-"${CARGO_TARGET_DIR:-$root/target}/release/ace-refunds"}
[ -s "$csv" ] || python3 "$root/bench/import/gen_importers.py" "$N" > "$csv"
echo "input: $csv ($(wc -c < "$csv") bytes, $N rows)"

measure() { # label url
  local out; out=$(mktemp)
  /usr/bin/time -v "$bin" --database-url "$2" importer import "$csv" > /dev/null 2> "$out" || { cat "$out"; exit 1; }
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
  python3 -c "import sys; s=float(sys.argv[2]); print(f'{sys.argv[1]}: {s:.2f} s, {int(sys.argv[3])/s:,.0f} rows/s, peak RSS {int(sys.argv[4])/1024:.0f} MiB')" "$1" "$secs" "$N" "$rss"
  rm -f "$out"
}

for run in $(seq 1 "$RUNS"); do
  if [[ " $ENGINES " == *" sqlite "* ]]; then
    dir=$(mktemp -d)
    measure "sqlite run $run" "sqlite://$dir/bench.db?mode=rwc"
    rm -rf "$dir"
  fi
  if [[ " $ENGINES " == *" postgres "* ]]; then
    db="ace_bench_import_$$"
    psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db" && psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $db"
    measure "postgres run $run" "$PG_ADMIN/$db"
    psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  fi
done
