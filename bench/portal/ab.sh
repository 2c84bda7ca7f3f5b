#!/usr/bin/env bash
# Compares release builds on the two portal pages measured for issues 4 and 5, interleaved so a noisy
# machine hurts every build alike: each round runs bench/portal/account.sh and bench/ach/run.sh once
# per build (fresh database each time). Quote ratios to /healthz of the same run.
#
#   TARGETS="/tmp/base-target ./target" ROUNDS=2 bench/portal/ab.sh
#
# Each TARGETS entry is a cargo target directory holding release/ace-refunds and
# release/examples/{portal_bench,ach_bench} (`cargo build --release -p ace-refunds && cargo build
# --release -p app --examples` with CARGO_TARGET_DIR set). DBS, DURATION as for the two scripts
# (defaults here: postgres, 10 s). Runs take /tmp/ace-bench.lock so two benchmarks never overlap.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${TARGETS:?set TARGETS to the cargo target directories to compare}"
ROUNDS=${ROUNDS:-2}
export DBS=${DBS:-postgres} DURATION=${DURATION:-10} RUNS=1 SKIP_BUILD=1
for round in $(seq 1 "$ROUNDS"); do
  for t in $TARGETS; do
    echo "##### round $round: $t: /account"
    flock /tmp/ace-bench.lock env CARGO_TARGET_DIR="$t" "$root/bench/portal/account.sh" 2>&1 | grep -E "^==|%|Requests/sec"
    echo "##### round $round: $t: the ACH tab"
    flock /tmp/ace-bench.lock env CARGO_TARGET_DIR="$t" FEDACH=/nonexistent "$root/bench/ach/run.sh" 2>&1 |
      grep -E "^== (postgres|sqlite) run|%|Requests/sec"
  done
done
