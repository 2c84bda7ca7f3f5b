#!/usr/bin/env bash
# Certification killed at random instants (SIGKILL), restarted, and checked: nothing decided
# twice, no bill over-applied, no notice lost, and the final state equal to an uninterrupted
# run's. See kill_certify.py for the invariants.
#
#   bench/refunds/kill-certify.sh                     # 30 kills per engine, 30,000 refunds
#   KILLS=100 ENGINES=postgres SEED=42 bench/refunds/kill-certify.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
[ -n "${SKIP_BUILD:-}" ] || (cd "$root" && cargo build -q --release -p ace-refunds --bin ace-refunds)
BIN="$target/release/ace-refunds" exec python3 "$root/bench/refunds/kill_certify.py"
