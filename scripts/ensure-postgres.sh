#!/usr/bin/env bash
# Makes sure the local PostgreSQL answers on 127.0.0.1:5432, starting the Debian cluster if it
# is installed but stopped. Prints the admin URL the tests use.
set -euo pipefail
host=127.0.0.1 port=5432
if ! command -v pg_isready >/dev/null 2>&1; then
  echo "PostgreSQL client tools are not installed; install the postgresql package or set TEST_DATABASE_URL" >&2
  exit 1
fi
if ! pg_isready -q -h "$host" -p "$port"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
fi
pg_isready -q -h "$host" -p "$port" || { echo "PostgreSQL is not reachable on $host:$port" >&2; exit 1; }
# Leftovers of interrupted test runs.
psql -h "$host" -U postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'ace_t_%'" postgres 2>/dev/null \
  | while read -r db; do psql -h "$host" -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres || true; done
echo "postgres://postgres@$host:$port/postgres"
