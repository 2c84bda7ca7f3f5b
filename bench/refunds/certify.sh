#!/usr/bin/env bash
# `refunds certify` of N refunds made by `demo seed` (most importers enrolled and Active, some
# pending verification, some never enrolled, notify parties, open bills), on a fresh SQLite file
# and a fresh PostgreSQL database: the seed's wall time, then certification's wall time, rows/s
# and peak RSS from /usr/bin/time -v, and its result.
#
#   bench/refunds/certify.sh                                  # N=1000000 over 10,000 importers
#   N=10000000 IMPORTERS=100000 ENGINES=postgres bench/refunds/certify.sh
#
# TODAY (default 2026-04-30) is the seed's last refund date and the certification's day: the
# shipped rate table ends with 2026 Q1, so about a tenth of the refunds wait for a rate.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
N=${N:-1000000}
IMPORTERS=${IMPORTERS:-10000}
TODAY=${TODAY:-2026-04-30}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
ENGINES=${ENGINES:-sqlite postgres}
target=${CARGO_TARGET_DIR:-$root/target}
[ -n "${SKIP_BUILD:-}" ] || (cd "$root" && cargo build -q --release -p ace-refunds --bin ace-refunds)
bin="$target/release/ace-refunds"
data=$(mktemp -d)
export ACE_LOG=warn ACE_DATA_DIR="$data/state"
source "$root/bench/refunds/lib.sh"

run() { # engine url
  /usr/bin/time -f "$1 demo seed: %e s" "$bin" --database-url "$2" demo seed --importers "$IMPORTERS" --refunds "$N" \
    --today "$TODAY" 2>&1 > /dev/null | tail -n 1
  measure "$1 refunds certify" "$N" "$2" refunds certify --today "$TODAY"
  # Certification queues its notices; a server's sender delivers them. Delivering them here
  # (to the file outbox, each file flushed to disk) is timed apart.
  /usr/bin/time -f "    $1 mail send (delivery of the queued notices): %e s" "$bin" --database-url "$2" mail send 2>&1 |
    sed 's/^\([^ ]\)/    \1/'
  echo "    mails written to the outbox: $(find "$data/state/outbox" -name '*.eml' 2> /dev/null | wc -l)"
  rm -rf "$data/state/outbox"
}

if [[ " $ENGINES " == *" sqlite "* ]]; then
  run sqlite "sqlite://$data/bench.db?mode=rwc"
fi
if [[ " $ENGINES " == *" postgres "* ]]; then
  db="ace_bench_certify_$$"
  psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db" && psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $db"
  run postgres "$PG_ADMIN/$db"
  psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
fi
rm -rf "$data"
