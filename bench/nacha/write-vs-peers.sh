#!/usr/bin/env bash
# Write time of N CCD credits (same content, common_data.txt) by our writer and each peer, RUNS
# times each; prints the median of each library's own in-process timing ("seconds" in its JSON).
#   ACE_NACHA_PEERS=/path/to/shared/tools/peers bench/nacha/write-vs-peers.sh [N] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
peers=${ACE_NACHA_PEERS:?set ACE_NACHA_PEERS}; export PEERS_DIR=${PEERS_DIR:-/tmp/ace-peers}; export PYTHONPATH="$PEERS_DIR/py"
n=${1:-100000}; runs=${2:-5}; out=$(mktemp -d)
bash "$peers/install.sh" >/dev/null
(cd "$root" && cargo build -q --release -p nacha --example nacha_tool)
tool="${CARGO_TARGET_DIR:-$root/target}/release/examples/nacha_tool"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["seconds"])'; }
run() { local name=$1; shift; local s=(); for _ in $(seq "$runs"); do s+=("$("$@" | secs)"); done
        printf '%-14s n=%-8s median %.6f s  (runs: %s)\n' "$name" "$n" "$(printf '%s\n' "${s[@]}" | median)" "${s[*]}"; }
run nacha-rs   "$tool" gen "$n" "$out/ours.ach" ccd0
run achkit-py  python3 "$peers/py_achkit.py" gen "$n" "$out/achkit.ach"
run carta-ach  python3 "$peers/py_carta_ach.py" gen "$n" "$out/carta.ach"
run node-nacha node "$peers/node_nacha.js" gen "$n" "$out/node.ach"
if [ "$n" -le 10000 ]; then run nach2 node "$peers/node_nach2_gen.js" "$n" "$out/nach2.ach"; else echo "nach2          skipped (quadratic in N; use N <= 10000)"; fi
rm -rf "$out"
