#!/usr/bin/env bash
# Install everything, ingest the demo corpus into an embedded store and answer a few questions.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh

store=${GROUNDGRAPH_STORE:-.groundgraph/demo}
.venv/bin/groundgraph ingest demo/corpus --store "$store"
.venv/bin/groundgraph stats --store "$store"
.venv/bin/python demo/ask.py --store "$store" \
    "Who discovered polonium?" \
    "Where was the founder of the Nobel Prizes born?" \
    "Which university did Albert Einstein graduate from?" \
    "Who designed the Harvard Mark I?" \
    "What is the boiling point of mercury on Mars?"
