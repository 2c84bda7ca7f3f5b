#!/usr/bin/env bash
# Cross-check: files written by our writer are parsed by every peer NACHA library; each peer must
# report the same entry count and credit total as we do. Exit non-zero on any disagreement.
#
#   ACE_NACHA_PEERS=/path/to/shared/tools/peers bench/nacha/crosscheck.sh
#
# Env: ACE_NACHA_PEERS (required: folder with install.sh and the peer scripts),
#      PEERS_DIR (where peers are installed, default /tmp/ace-peers),
#      CROSSCHECK_SIZES (default "1 1000 100000"), CROSSCHECK_OUT (work dir, default a temp dir),
#      CARGO_TARGET_DIR (optional).
# Peers: achkit (py), carta-ach (py), node-nacha (js). nach2 (js) only generates files and is
# quadratic in N, so it is not used here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
peers=${ACE_NACHA_PEERS:?set ACE_NACHA_PEERS to the peers folder (shared/tools/peers)}
export PEERS_DIR=${PEERS_DIR:-/tmp/ace-peers}
export PYTHONPATH="$PEERS_DIR/py"
sizes=${CROSSCHECK_SIZES:-"1 1000 100000"}
out=${CROSSCHECK_OUT:-$(mktemp -d)}
mkdir -p "$out"

# Install the peers (same logic as install.sh, idempotent).
bash "$peers/install.sh" >/dev/null

(cd "$root" && cargo build -q --release -p nacha --example nacha_tool)
tool="${CARGO_TARGET_DIR:-$root/target}/release/examples/nacha_tool"

fail=0
json_field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2], "ERR:"+str(d.get("error","missing"))))' "$1" "$2"; }

for kind in ccd ppd prenote; do
  for n in $sizes; do
    f="$out/ours-$kind-$n.ach"
    "$tool" gen "$n" "$f" "$kind" >/dev/null
    ours=$("$tool" check "$f")
    oe=$(json_field "$ours" entries); oc=$(json_field "$ours" credit_cents)
    if [ "$(json_field "$ours" valid)" != "True" ]; then echo "FAIL ours: $f does not validate"; fail=1; fi
    for peer in py_achkit.py py_carta_ach.py node_nacha.js; do
      t0=$(date +%s.%N)
      case $peer in
        *.py) res=$(python3 "$peers/$peer" parse "$f" 2>&1 | tail -1) ;;
        *.js) res=$(node "$peers/$peer" parse "$f" 2>&1 | tail -1) ;;
      esac
      t1=$(date +%s.%N)
      pe=$(json_field "$res" entries 2>/dev/null || echo "ERR:$res")
      pc=$(json_field "$res" credit_cents 2>/dev/null || echo "ERR:$res")
      status=ok
      if [ "$pe" != "$oe" ] || [ "$pc" != "$oc" ]; then status=DISAGREE; fail=1; fi
      printf '%-8s %7s %-16s entries %8s/%-8s credit %14s/%-14s %6.2fs %s\n' "$kind" "$n" "$peer" "$pe" "$oe" "$pc" "$oc" \
        "$(echo "$t1 - $t0" | bc)" "$status"
      if [ $status != ok ]; then echo "    peer said: $res"; fi
    done
  done
done
if [ $fail -ne 0 ]; then echo "crosscheck: FAILED"; exit 1; fi
echo "crosscheck: all peers agree"
