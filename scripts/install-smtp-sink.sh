#!/usr/bin/env bash
# Installs the test SMTP server's dependency (aiosmtpd, from PyPI) into a Python venv at
# <repo>/.venv-test, for crates/mail/tests/smtp.rs (which runs scripts/smtp-sink.py with it).
# Idempotent: does nothing when the venv's python already imports aiosmtpd at the pinned version.
# PYTHON picks the interpreter that creates the venv (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."

AIOSMTPD_VERSION=1.4.6
VENV=.venv-test
PY="$VENV/bin/python"

installed_version() {
    "$PY" -c 'import importlib.metadata as m; print(m.version("aiosmtpd"))' 2>/dev/null || true
}

if [[ -x "$PY" && "$(installed_version)" == "$AIOSMTPD_VERSION" ]]; then
    echo "aiosmtpd $AIOSMTPD_VERSION already installed in $VENV"
    exit 0
fi

if [[ -e "$VENV" ]] && ! "$PY" -c 'import sys' >/dev/null 2>&1; then
    echo "install-smtp-sink: $VENV does not run (its Python moved?); making it again"
    rm -rf "$VENV"
fi
if [[ ! -x "$PY" ]]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
"$PY" -m pip install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"

got="$(installed_version)"
if [[ "$got" != "$AIOSMTPD_VERSION" ]]; then
    echo "install-smtp-sink: aiosmtpd $AIOSMTPD_VERSION missing from $VENV after pip install (found '${got}')" >&2
    exit 1
fi
echo "aiosmtpd $got installed in $VENV"
