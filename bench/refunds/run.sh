#!/usr/bin/env bash
# The refund ledger's figures (issue 16): `refunds import` of N generated rows (interest computed
# for each) and `refunds certify` of all of them, on a fresh SQLite file and a fresh PostgreSQL
# database; wall time, rows/s and peak RSS from /usr/bin/time -v.
#
#   bench/refunds/run.sh                      # N=1000000 refunds over 10,000 importers
#   N=100000 ENGINES=sqlite bench/refunds/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
N=${N:-1000000}
IMPORTERS=${IMPORTERS:-10000}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
ENGINES=${ENGINES:-sqlite postgres}
target=${CARGO_TARGET_DIR:-$root/target}
# Two builds: `--example` given once selects only that target in every named package.
[ -n "${SKIP_BUILD:-}" ] || (cd "$root" && cargo build -q --release -p ace-refunds --bin ace-refunds &&
  cargo build -q --release -p app --example refund_data)
bin="$target/release/ace-refunds"
data=${DATA:-/tmp/ace-refunds-bench-$N}
[ -s "$data/refunds.csv" ] || "$target/release/examples/refund_data" --importers "$IMPORTERS" --refunds "$N" --seed 1 --out "$data"
source "$root/bench/refunds/lib.sh"
echo "input: $data/refunds.csv ($(wc -c < "$data/refunds.csv") bytes, $N rows, $IMPORTERS importers)"

run() { # engine url
  ACE_LOG=warn ACE_DATA_DIR="$data/state" "$bin" --database-url "$2" importer import "$data/importers.csv" > /dev/null
  ACE_LOG=warn ACE_DATA_DIR="$data/state" "$bin" --database-url "$2" bills import "$data/bills.csv" > /dev/null
  measure "$1 refunds import" "$N" "$2" refunds import "$data/refunds.csv"
  measure "$1 refunds certify" "$N" "$2" refunds certify
}

if [[ " $ENGINES " == *" sqlite "* ]]; then
  dir=$(mktemp -d)
  run sqlite "sqlite://$dir/bench.db?mode=rwc"
  rm -rf "$dir"
fi
if [[ " $ENGINES " == *" postgres "* ]]; then
  db="ace_bench_refunds_$$"
  psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db" && psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $db"
  run postgres "$PG_ADMIN/$db"
  psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
fi
