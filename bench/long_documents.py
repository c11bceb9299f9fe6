"""One very long document: ingest time and peak memory of single-line texts of 1, 5 and 20 MB.

    .venv/bin/python bench/long_documents.py                 # 1, 5, 20 MB, with full stops
    .venv/bin/python bench/long_documents.py --sizes 1 --no-stops

Each text is one line of generated sentences naming people and places (`--no-stops` leaves
out every full stop: one run-on "sentence", the worst case for a parser). Each size is
ingested into a fresh store in its own process, whose peak resident memory is read from the
kernel when it ends (`wait4`), so sizes do not share a high-water mark.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import record

PEOPLE = [
    "Marie Curie",
    "Alan Turing",
    "Ada Lovelace",
    "Niels Bohr",
    "Lise Meitner",
    "Grace Hopper",
    "Otto Hahn",
    "Ernest Rutherford",
    "Isaac Newton",
    "Albert Einstein",
]
PLACES = [
    "Paris",
    "Warsaw",
    "Copenhagen",
    "Vienna",
    "Berlin",
    "Manchester",
    "Cambridge",
    "Zurich",
    "Stockholm",
    "Princeton",
]
VERBS = ["visited", "wrote to a colleague in", "lectured in", "moved to", "returned from"]

INGEST = """
import sys, time
from groundgraph import GroundGraph
began = time.perf_counter()
with GroundGraph.open(sys.argv[2]) as gg:
    report = gg.ingest([sys.argv[1]])
    assert report.ok, report.failed
    print(time.perf_counter() - began, gg.stats().graph.chunks, gg.stats().graph.entities)
"""


def text_of(megabytes: float, stops: bool, seed: int = 0) -> str:
    rng = random.Random(seed)
    end = ". " if stops else " and "
    parts, size = [], 0
    while size < megabytes * 1_000_000:
        sentence = (
            f"In {rng.randint(1850, 1960)} {rng.choice(PEOPLE)} {rng.choice(VERBS)} "
            f"{rng.choice(PLACES)} with {rng.choice(PEOPLE)}{end}"
        )
        parts.append(sentence)
        size += len(sentence)
    return "".join(parts)


def measure(megabytes: float, stops: bool, python: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="groundgraph-long-") as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(text_of(megabytes, stops), encoding="utf-8")
        began = time.perf_counter()
        child = subprocess.Popen(
            [python, "-c", INGEST, str(path), str(Path(tmp) / "kg")],
            stdout=subprocess.PIPE,
            text=True,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        output = child.stdout.read().split() if child.stdout else []
        if os.waitstatus_to_exitcode(status) != 0 or len(output) != 3:
            raise SystemExit(f"ingest of {megabytes} MB failed (status {status})")
        ingest_seconds, chunks, entities = float(output[0]), int(output[1]), int(output[2])
    return {
        "megabytes": megabytes,
        "ingest_seconds": round(ingest_seconds, 1),
        "process_seconds": round(wall, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "chunks": chunks,
        "entities": entities,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,20", help="megabytes, comma-separated")
    parser.add_argument("--no-stops", action="store_true", help="no full stops at all")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    rows = [measure(float(mb), not args.no_stops, sys.executable) for mb in args.sizes.split(",")]
    if args.json:
        print(json.dumps(rows))
        return
    lines = [
        "| text | ingest s | s per MB | peak RSS MB | chunks | entities |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['megabytes']:g} MB | {r['ingest_seconds']} | "
        f"{r['ingest_seconds'] / r['megabytes']:.1f} | {r['peak_rss_mb']:,} | {r['chunks']:,} | "
        f"{r['entities']} |"
        for r in rows
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_record:
        kind = "without full stops" if args.no_stops else "of sentences"
        record(
            f"Long documents: one single-line text {kind}",
            f"Command: `python bench/long_documents.py --sizes {args.sizes}"
            f"{' --no-stops' if args.no_stops else ''}`; embedding included.",
            table,
        )


if __name__ == "__main__":
    main()
