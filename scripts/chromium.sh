#!/usr/bin/env bash
# Install headless Chromium from Debian's packages for the Dagster UI test, if it is missing.
# Needs root or passwordless sudo; prints why and exits non-zero when it cannot install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run=(sudo -n)
else
    echo "chromium: not installed, and installing it needs root or passwordless sudo" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: not installed, and this system has no apt-get" >&2
    exit 1
fi
echo "installing chromium from Debian's packages..." >&2
"${run[@]}" apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq --no-install-recommends chromium \
    >/dev/null
