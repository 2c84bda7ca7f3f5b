#!/usr/bin/env bash
# Load test: GET /api/v1/importers/{number} (bearer token, 10,000 records in the registry) against the same
# server's /healthz, with wrk from a second process: 64 connections, DURATION seconds each (default 30).
# Also: cold start of `serve` on an empty SQLite database to the first 200 on /healthz, and idle RSS.
#
#   bench/http/run.sh                 # SQLite
#   DB=postgres bench/http/run.sh     # PostgreSQL
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${DURATION:-30}
DB=${DB:-sqlite}
PORT=${PORT:-18181}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || (cd "$root" && cargo build -q --release -p ace-refunds)
bin="${CARGO_TARGET_DIR:-$root/target}/release/ace-refunds"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== cold start (empty SQLite database, 5 runs)"
python3 - "$bin" "$PORT" <<'PY'
import os, statistics, subprocess, sys, tempfile, time, urllib.request
binary, port = sys.argv[1], int(sys.argv[2])
times, rss = [], []
for _ in range(5):
    d = tempfile.mkdtemp()
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}"], env={**os.environ, "ACE_DATA_DIR": d},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).status == 200:
                break
        except Exception:
            time.sleep(0.002)
    times.append(time.perf_counter() - t0)
    time.sleep(1)
    with open(f"/proc/{p.pid}/status") as f:
        rss.append(next(int(l.split()[1]) for l in f if l.startswith("VmRSS")))
    p.terminate(); p.wait()
print(f"cold start to first 200: median {statistics.median(times)*1000:.0f} ms (min {min(times)*1000:.0f}, max {max(times)*1000:.0f})")
print(f"idle RSS after start: median {statistics.median(rss)/1024:.1f} MiB")
PY

if [ "$DB" = postgres ]; then
  dbname="ace_bench_http_$$"
  psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $dbname"
  export DATABASE_URL="$PG_ADMIN/$dbname"
  trap 'kill $server 2>/dev/null || true; rm -rf "$work"; psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)"' EXIT
else
  export ACE_DATA_DIR="$work/data"
fi
python3 "$root/bench/import/gen_importers.py" 10000 > "$work/i.csv"
"$bin" importer import "$work/i.csv" > /dev/null
ACE_PASSWORD="bench password long" "$bin" user create --email bench@cbp.example --name Bench --role cbp-staff > /dev/null
token=$("$bin" token create --email bench@cbp.example 2>/dev/null)
ACE_LOG=warn "$bin" serve --listen "127.0.0.1:$PORT" > /dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.1; done
number=$(sed -n '5000p' "$work/i.csv" | cut -d, -f1)
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/importers/$number" > /dev/null

cat > "$work/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
echo "== $DB: GET /api/v1/importers/$number (64 connections, ${DURATION}s)"
wrk -t2 -c64 -d"${DURATION}s" --latency -s "$work/auth.lua" "http://127.0.0.1:$PORT/api/v1/importers/$number" | grep -E "Requests/sec|99%|50%|Non-2xx|Socket errors"
echo "== $DB: GET /healthz (64 connections, ${DURATION}s)"
wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E "Requests/sec|99%|50%|Non-2xx|Socket errors"
