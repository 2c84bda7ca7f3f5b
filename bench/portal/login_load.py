#!/usr/bin/env python3
"""HTTP load for the password step of a portal login (POST /login), as browsers would send it.

    python3 bench/portal/login_load.py --url http://127.0.0.1:18182 --emails emails.txt \\
        --password '...' --addresses 20 --per-address 40 --concurrency 4
    python3 bench/portal/login_load.py --url ... --emails emails.txt --password '...' --probe

Each simulated client uses its own loopback source address (127.0.0.2, 127.0.0.3, ...: the
whole 127.0.0.0/8 range reaches this machine), takes the login page once (GET /login sets the
`ace_csrf` cookie and puts the token in the form's `csrf` field), then posts `--per-address`
correct passwords on one keep-alive connection, for users taken in turn from `--emails`. A right
password answers 303 to /login/code (or /second-factor/setup); anything else is counted as an
error. The server limits password attempts to 50 per client address per 15 minutes (successful
ones count too), so `--per-address` must stay at or below 50 and a run needs a fresh database or
new addresses. Prints logins/s over the whole run and latency percentiles.

`--probe` shows that limit instead: one address posts correct passwords until it is refused and
prints how many were accepted.
"""
import argparse
import concurrent.futures
import http.client
import itertools
import re
import statistics
import sys
import threading
import time
import urllib.parse

CSRF_FIELD = re.compile(r'name="csrf"\s+value="([0-9a-f]{64})"')


def login_page(conn):
    conn.request("GET", "/login")
    r = conn.getresponse()
    body = r.read().decode()
    cookie = next((c.split(";")[0] for c in r.headers.get_all("Set-Cookie") or [] if c.startswith("ace_csrf=")), None)
    m = CSRF_FIELD.search(body)
    if r.status != 200 or not cookie or not m:
        raise RuntimeError(f"GET /login: status {r.status}, csrf cookie {cookie!r}, field found {bool(m)}")
    return cookie, m.group(1)


def post_login(conn, cookie, token, email, password):
    body = urllib.parse.urlencode({"csrf": token, "email": email, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "User-Agent": "login_load.py"}
    t0 = time.perf_counter()
    conn.request("POST", "/login", body=body, headers=headers)
    r = conn.getresponse()
    r.read()
    return r.status, r.headers.get("Location", ""), time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--emails", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--addresses", type=int, default=20)
    ap.add_argument("--first-address", type=int, default=2, help="last byte of the first 127.0.0.x address")
    ap.add_argument("--per-address", type=int, default=40)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--probe", action="store_true")
    a = ap.parse_args()
    if a.per_address > 50:
        sys.exit("--per-address above 50 would run into the per-address limit")
    u = urllib.parse.urlsplit(a.url)
    emails = [e.strip() for e in open(a.emails) if e.strip()]
    users = itertools.cycle(emails)
    lock = threading.Lock()

    def next_email():
        with lock:
            return next(users)

    if a.probe:
        conn = http.client.HTTPConnection(u.hostname, u.port, source_address=(f"127.0.0.{a.first_address}", 0))
        cookie, token = login_page(conn)
        for n in range(1, 200):
            status, _, _ = post_login(conn, cookie, token, next_email(), a.password)
            if status != 303:
                print(f"one address: {n - 1} logins accepted, attempt {n} answered {status}")
                return
        print("no refusal after 199 attempts")
        return

    def client(k):
        addr = f"127.0.0.{a.first_address + k}"
        conn = http.client.HTTPConnection(u.hostname, u.port, source_address=(addr, 0))
        cookie, token = login_page(conn)
        out = []
        for _ in range(a.per_address):
            status, location, secs = post_login(conn, cookie, token, next_email(), a.password)
            ok = status == 303 and location in ("/login/code", "/second-factor/setup")
            out.append((ok, status, secs))
        conn.close()
        return out

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.concurrency) as pool:
        results = [r for batch in pool.map(client, range(a.addresses)) for r in batch]
    wall = time.perf_counter() - t0
    ok = [s for good, _, s in results if good]
    bad = [st for good, st, _ in results if not good]
    lat = sorted(ok)
    q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000
    print(f"HTTP password logins: {len(ok)} ok, {len(bad)} not ok {sorted(set(bad))}, {a.addresses} addresses, "
          f"concurrency {a.concurrency}: {wall:.2f} s, {len(ok) / wall:.1f} logins/s, "
          f"latency p50 {q(0.5):.1f} ms, p99 {q(0.99):.1f} ms, mean {statistics.mean(lat) * 1000:.1f} ms")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
