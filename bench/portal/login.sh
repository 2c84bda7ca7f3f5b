#!/usr/bin/env bash
# Password logins per core (issue 4): what one Argon2id verify costs here, and how many password
# logins one core serves, in the app (no HTTP) and over HTTP (POST /login with its CSRF token).
#
#   bench/portal/login.sh                       # SQLite and PostgreSQL, 3 runs each
#   RUNS=1 DBS=sqlite SKIP_CRITERION=1 bench/portal/login.sh
#
# Steps:
# 1. `cargo bench -p app --bench password` under `taskset -c 1` (criterion: verify_password and
#    hash_password), unless SKIP_CRITERION=1.
# 2. For each engine and run, on a fresh database: `portal_bench setup` makes 64 trade accounts
#    (application, code, password, email second factor), then
#    a. app level: `taskset -c 1 portal_bench logins` runs LOGINS password steps
#       (`app::login::password`: rate check, user lookup, Argon2id verify, login event, a pending
#       session, a mailed code) with 4 concurrent tasks on one thread, and prints logins/s next to
#       1/verify time measured in the same process;
#    b. HTTP: `serve` pinned to core 1 (`taskset -c 1`: one tokio worker) and login_load.py
#       pinned to core 0 post LOGINS correct passwords, 40 per client address from 127.0.0.2 on
#       (the server allows 50 password attempts per address per 15 minutes, successes included);
#    c. the per-address limit itself: one more address posts until refused.
# PostgreSQL's own processes are not pinned (they run on either core).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
DBS=${DBS:-sqlite postgres}
LOGINS=${LOGINS:-400}
PER_ADDRESS=40
need taskset "apt-get install util-linux"
build
if [ -z "${SKIP_CRITERION:-}" ]; then
  echo "== Argon2id cost (criterion, one core)"
  (cd "$root" && taskset -c 1 cargo bench -q -p app --bench password 2>&1 | grep -E "PHC|time:|^[a-z_]+/")
fi
for engine in $DBS; do
  for run in $(seq 1 "$RUNS"); do
    echo "== $engine run $run (load average $(cut -d" " -f1-3 /proc/loadavg))"
    fresh_db "$engine" "login$run"
    "$bench_tool" setup --accounts 64 --emails "$work/emails.txt" 2>&1
    taskset -c 1 "$bench_tool" logins --logins "$LOGINS" --concurrency 4
    start_server taskset -c 1
    taskset -c 0 python3 "$root/bench/portal/login_load.py" --url "http://127.0.0.1:$PORT" \
      --emails "$work/emails.txt" --password "harbor crane lemon bench" \
      --addresses $((LOGINS / PER_ADDRESS)) --per-address $PER_ADDRESS --concurrency 4
    python3 "$root/bench/portal/login_load.py" --url "http://127.0.0.1:$PORT" --emails "$work/emails.txt" \
      --password "harbor crane lemon bench" --probe --first-address 250
    stop_server
    drop_db
  done
done
