#!/usr/bin/env bash
# Install everything, lint, and run the whole test suite (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
# The Dagster UI test screenshots the asset graph with Chromium; without it that test
# reports why it could not run, and the rest of the suite goes on.
scripts/chromium.sh || echo "warning: chromium unavailable; the UI screenshot test will say so" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The documentation site, strictly: a page naming a setting, command or module that does not
# exist fails here (scripts/mkdocs_hooks.py).
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
.venv/bin/python -m pytest "$@"
