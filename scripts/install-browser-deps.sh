#!/usr/bin/env bash
# Installs Debian chromium and chromium-driver for the browser tests
# (crates/web/tests/browser.rs). Idempotent: does nothing when both
# /usr/bin/chromium and /usr/bin/chromedriver are already present.
# Needs root (or sudo) when something has to be installed.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    echo "chromium and chromedriver already installed:"
    /usr/bin/chromium --version 2>/dev/null || true
    /usr/bin/chromedriver --version 2>/dev/null || true
    exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser-deps: need root (or sudo) to install chromium and chromium-driver" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver

for bin in /usr/bin/chromium /usr/bin/chromedriver; do
    if [[ ! -x "$bin" ]]; then
        echo "install-browser-deps: $bin still missing after apt-get install" >&2
        exit 1
    fi
done
/usr/bin/chromium --version || true
/usr/bin/chromedriver --version || true
