#!/usr/bin/env python3
"""SIGKILL proof of certification (issue 16), driven by kill-certify.sh.

For each engine: seed a database (`demo seed`: enrolled, pending and never-enrolled importers,
notify parties, open bills), keep a pristine copy, certify a second copy to completion as the
reference, then start `refunds certify` again and again on the working copy and SIGKILL it at a
random instant (uniform over the reference run's wall time). After every kill the invariants are
checked; whenever a run completes, its final state must equal the reference's, and the working
copy starts again from the pristine one, until KILLS kills have landed.

Invariants (nothing decided twice, nothing lost, no money made up):
  - every refund has at most one event leaving `recorded`, and every decided refund exactly one;
  - no bill is applied beyond its amount, and each bill's open amount = amount - its applications;
  - each refund's offsets = the sum of its applications; net = principal + interest - offsets;
  - every refund held has exactly one held notice, every refund that paid a bill one diverted
    notice, and none other (a notice is written with its decision, never after);
  - after a completed run: `refunds summary --json` equals the SQL totals, no notice is left
    unsent and unclaimed, and refunds, bills and applications equal the reference's.
"""
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

BIN = os.environ["BIN"]
KILLS = int(os.environ.get("KILLS", "30"))
IMPORTERS = int(os.environ.get("IMPORTERS", "300"))
REFUNDS = int(os.environ.get("REFUNDS", "30000"))
TODAY = os.environ.get("TODAY", "2026-04-30")
PG_ADMIN = os.environ.get("PG_ADMIN", "postgres://postgres@127.0.0.1:5432")
SEED = int(os.environ.get("SEED", str(int(time.time()))))
rng = random.Random(SEED)


class Engine:
    """A database the binary and the checks can both reach."""

    def __init__(self, kind, work):
        self.kind, self.work, self.n = kind, work, 0

    def fresh(self, name):
        if self.kind == "sqlite":
            return f"sqlite://{self.work}/{name}.db?mode=rwc"
        self.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.psql("postgres", f"CREATE DATABASE {name}")
        return f"{PG_ADMIN}/{name}"

    def copy(self, src, dst):
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                p = f"{self.work}/{dst}.db{suffix}"
                if os.path.exists(p):
                    os.remove(p)
            # The seeding process has exited: its WAL is checkpointed into the file.
            with sqlite3.connect(f"{self.work}/{src}.db") as c:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(f"{self.work}/{src}.db", f"{self.work}/{dst}.db")
            return f"sqlite://{self.work}/{dst}.db?mode=rwc"
        self.psql("postgres", f"DROP DATABASE IF EXISTS {dst} WITH (FORCE)")
        self.psql("postgres", f"CREATE DATABASE {dst} TEMPLATE {src}")
        return f"{PG_ADMIN}/{dst}"

    def psql(self, db, sql):
        out = subprocess.run(["psql", f"{PG_ADMIN}/{db}", "-qAtX", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line != ""]

    def query(self, url, sql):
        if self.kind == "sqlite":
            path = url[len("sqlite://"):].split("?")[0]
            with sqlite3.connect(path) as c:
                return [tuple("" if v is None else str(v) for v in row) for row in c.execute(sql)]
        return self.psql(url.rsplit("/", 1)[1], sql)

    def drop(self, names):
        if self.kind == "postgres":
            for n in names:
                self.psql("postgres", f"DROP DATABASE IF EXISTS {n} WITH (FORCE)")


def ace(url, data, *args, check=True):
    env = dict(os.environ, ACE_LOG="warn", ACE_DATA_DIR=data)
    return subprocess.run([BIN, "--database-url", url, *args], env=env, check=check, capture_output=True, text=True)


CHECKS = {
    "a refund decided twice": "SELECT refund_id FROM refund_events WHERE from_status = 'recorded' "
                              "GROUP BY refund_id HAVING COUNT(*) > 1",
    "a decided refund without its event": "SELECT id FROM refunds r WHERE status <> 'recorded' AND NOT EXISTS "
                                          "(SELECT 1 FROM refund_events e WHERE e.refund_id = r.id AND e.from_status = 'recorded')",
    "a bill over-applied or out of balance": "SELECT b.id FROM bills b WHERE b.open_cents < 0 OR b.amount_cents - b.open_cents <> "
                                             "(SELECT COALESCE(SUM(a.amount_cents), 0) FROM bill_applications a WHERE a.bill_id = b.id)",
    "offsets not the sum of applications": "SELECT r.id FROM refunds r WHERE r.offset_cents <> "
                                           "(SELECT COALESCE(SUM(a.amount_cents), 0) FROM bill_applications a WHERE a.refund_id = r.id)",
    "net not principal + interest - offsets": "SELECT id FROM refunds WHERE net_cents IS NOT NULL AND "
                                              "net_cents <> principal_cents + interest_cents - offset_cents",
    "a held refund without exactly one held notice": "SELECT r.id FROM refunds r WHERE r.status = 'held_ach_rejected' AND "
                                                     "(SELECT COUNT(*) FROM refund_notices n WHERE n.refund_id = r.id AND n.kind = 'held') <> 1",
    "a notice twice": "SELECT refund_id, kind FROM refund_notices GROUP BY refund_id, kind HAVING COUNT(*) > 1",
    "a refund that paid a bill without its notice": "SELECT r.id FROM refunds r WHERE r.offset_cents > 0 AND NOT EXISTS "
                                                    "(SELECT 1 FROM refund_notices n WHERE n.refund_id = r.id AND n.kind = 'diverted')",
    "a notice for nothing": "SELECT n.id FROM refund_notices n JOIN refunds r ON r.id = n.refund_id WHERE "
                            "(n.kind = 'diverted' AND r.offset_cents = 0) OR (n.kind = 'held' AND r.status = 'recorded')",
}

FINAL = {
    "a notice unsent and unclaimed after a completed run": "SELECT id FROM refund_notices WHERE sent_at IS NULL AND claimed_at IS NULL",
}

STATE = [
    "SELECT refund_number, status, secondary_status, held_reason, interest_cents, offset_cents, net_cents, "
    "payee_importer_id, payee_kind, refund_date FROM refunds ORDER BY refund_number",
    "SELECT bill_number, open_cents FROM bills ORDER BY bill_number",
    "SELECT b.bill_number, r.refund_number, a.amount_cents FROM bill_applications a JOIN bills b ON b.id = a.bill_id "
    "JOIN refunds r ON r.id = a.refund_id ORDER BY b.bill_number, r.refund_number",
    "SELECT r.refund_number, n.kind, n.importer_id, n.cents FROM refund_notices n JOIN refunds r ON r.id = n.refund_id "
    "ORDER BY r.refund_number, n.kind",
]


def violations(e, url, final):
    found = []
    for what, sql in {**CHECKS, **(FINAL if final else {})}.items():
        rows = e.query(url, sql)
        if rows:
            found.append(f"{what}: {len(rows)} (e.g. {rows[:3]})")
    return found


def state(e, url):
    h = hashlib.sha256()
    for sql in STATE:
        for row in e.query(url, sql):
            h.update(repr(row).encode())
    return h.hexdigest()


def summary_matches(e, url, data):
    got = json.loads(ace(url, data, "refunds", "summary", "--json").stdout)["by_status"]
    rows = e.query(url, "SELECT status, COUNT(*), CAST(COALESCE(SUM(COALESCE(net_cents, principal_cents + "
                        "COALESCE(interest_cents, 0) - offset_cents)), 0) AS BIGINT) FROM refunds GROUP BY status")
    sql = {s: (int(n), int(t)) for s, n, t in rows}
    cli = {s: (v["count"], v["net_cents"]) for s, v in got.items() if v["count"]}
    return cli == sql, cli, sql


def run_engine(kind):
    work = tempfile.mkdtemp(prefix=f"ace-kill-certify-{kind}-")
    data = os.path.join(work, "state")
    tag = f"ace_kill_certify_{os.getpid()}"
    e = Engine(kind, work)
    names = [f"{tag}_seed", f"{tag}_ref", f"{tag}_work"]
    try:
        seed = e.fresh(names[0])
        ace(seed, data, "demo", "seed", "--importers", str(IMPORTERS), "--refunds", str(REFUNDS), "--seed", "7",
            "--today", TODAY)
        ref = e.copy(names[0], names[1])
        t0 = time.monotonic()
        out = ace(ref, data, "refunds", "certify", "--today", TODAY, "--json")
        t_ref = time.monotonic() - t0
        decided = json.loads(out.stdout)
        bad = violations(e, ref, final=True)
        if bad:
            sys.exit(f"{kind}: the reference run itself breaks an invariant: {bad}")
        want = state(e, ref)
        print(f"{kind}: reference run {t_ref:.2f} s: {decided}", flush=True)

        work_url = e.copy(names[0], names[2])
        kills = completions = resets = 0
        started = time.monotonic()
        while kills < KILLS:
            env = dict(os.environ, ACE_LOG="warn", ACE_DATA_DIR=data)
            p = subprocess.Popen([BIN, "--database-url", work_url, "refunds", "certify", "--today", TODAY, "--json"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            delay = rng.uniform(0, t_ref)
            try:
                p.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
                kills += 1
                bad = violations(e, work_url, final=False)
                if bad:
                    sys.exit(f"{kind}: after kill {kills} ({delay:.2f} s in): {bad}")
                continue
            if p.returncode != 0:
                sys.exit(f"{kind}: certify failed after {kills} kills: {p.stderr.read()}")
            completions += 1
            bad = violations(e, work_url, final=True)
            if bad:
                sys.exit(f"{kind}: after a completed run ({kills} kills so far): {bad}")
            ok, cli, sql = summary_matches(e, work_url, data)
            if not ok:
                sys.exit(f"{kind}: refunds summary {cli} differs from SQL {sql}")
            got = state(e, work_url)
            if got != want:
                sys.exit(f"{kind}: the final state differs from the reference run's ({kills} kills so far)")
            # Done and equal: start over from the seed so kills keep landing mid-run.
            work_url = e.copy(names[0], names[2])
            resets += 1
        print(f"{kind}: {kills} kills, {completions} completed runs equal to the reference, "
              f"{resets} restarts from the seed, {time.monotonic() - started:.0f} s: every invariant held", flush=True)
    finally:
        e.drop(names)
        shutil.rmtree(work, ignore_errors=True)


def main():
    print(f"seed {SEED} (SEED={SEED} repeats the kill instants), {REFUNDS} refunds, {IMPORTERS} importers, "
          f"{KILLS} kills per engine", flush=True)
    for kind in os.environ.get("ENGINES", "sqlite postgres").split():
        run_engine(kind)


if __name__ == "__main__":
    main()
