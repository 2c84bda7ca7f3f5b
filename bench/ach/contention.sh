#!/usr/bin/env bash
# The ACH tab's cache under writes (issue 14 item 6): --companies importer companies, the first
# --writers of them changing bank details one number after another while every other company's
# TAO reads its own tab as fast as it is answered (crates/app/examples/ach_bench.rs, `contention`:
# in process, the application's own save and tab, no HTTP). Prints writes/s with p50/p99 and tab
# reads/s with p50/p99, and how many reads went to the database.
#
#   bench/ach/contention.sh                                  # SQLite and PostgreSQL, 3 runs each
#   DBS=postgres RUNS=5 SECONDS_=20 bench/ach/contention.sh
#   TARGETS="/tmp/before-target target" SKIP_BUILD=1 bench/ach/contention.sh
#
# TARGETS compares builds (cargo target directories holding release/examples/ach_bench),
# interleaved run by run so a noisy machine hurts each alike; default: this checkout's build.
# COMPANIES (100), WRITERS (50), NUMBERS (10 per company), SECONDS_ (20 per run). A fresh
# database per run. Runs take /tmp/ace-bench.lock so two benchmarks never overlap.
set -euo pipefail
source "$(dirname "$0")/../portal/lib.sh"
RUNS=${RUNS:-3}
DBS=${DBS:-sqlite postgres}
COMPANIES=${COMPANIES:-100}
WRITERS=${WRITERS:-50}
NUMBERS=${NUMBERS:-10}
SECONDS_=${SECONDS_:-20}
TARGETS=${TARGETS:-${CARGO_TARGET_DIR:-$root/target}}
if [ -z "${SKIP_BUILD:-}" ]; then
  (cd "$root" && cargo build -q --release -p app --examples)
fi
for run in $(seq 1 "$RUNS"); do
  for engine in $DBS; do
    for t in $TARGETS; do
      fresh_db "$engine" contention
      load=$(cut -d" " -f1-3 /proc/loadavg)
      echo "== $engine run $run: $t (load average $load)"
      flock /tmp/ace-bench.lock "$t/release/examples/ach_bench" contention --companies "$COMPANIES" \
        --writers "$WRITERS" --numbers "$NUMBERS" --seconds "$SECONDS_"
      drop_db
    done
  done
done
