"""What the daily job's evaluation gate costs: staging a copy of a store and publishing it.

A gated refresh writes into a staged copy (`groundgraph/staged_store.py`) and publishes it
when its checks pass; both steps copy the whole graph file and the index files, so their time
follows the store's size, not the day's change. This measures both on copies of given stores
(the stores themselves are not touched):

    .venv/bin/python bench/staged_refresh.py --store /tmp/bench-2wiki --store .groundgraph/store

Prints a table and appends it to bench/RESULTS.md (--no-record to skip); --json prints one
object.
"""

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from results import record

from groundgraph.assembly import build_components
from groundgraph.settings import Settings
from groundgraph.staged_store import open_staged, publish_staged


def measure(store: Path) -> dict:
    """Stage and publish a copy of `store`; sizes in MB, times in seconds."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "store"
        shutil.copytree(store, work, ignore=shutil.ignore_patterns("write.lock", ".staged"))
        parts = build_components(Settings.load(store=work))
        stats = parts.store.stats()
        size = sum(f.stat().st_size for f in work.rglob("*") if f.is_file()) / 1e6
        began = time.perf_counter()
        staged = open_staged(parts, "bench")
        stage_s = time.perf_counter() - began
        began = time.perf_counter()
        publish_staged(parts, staged)
        publish_s = time.perf_counter() - began
        parts.close()
    return {
        "store": str(store),
        "documents": stats.documents,
        "entities": stats.entities,
        "size_mb": round(size, 1),
        "stage_s": round(stage_s, 3),
        "publish_s": round(publish_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, action="append", required=True)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    rows = [measure(store) for store in args.store]
    if args.json:
        print(json.dumps({"stores": rows}))
        return
    table = "\n".join(
        [
            "| store | documents | entities | MB | stage s | publish s |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {r['store']} | {r['documents']:,} | {r['entities']:,} | {r['size_mb']} "
                f"| {r['stage_s']} | {r['publish_s']} |"
                for r in rows
            ),
        ]
    )
    print(table)
    if not args.no_record:
        record(
            "Evaluation gate: staging and publishing a store",
            "`bench/staged_refresh.py`: SQLite online backup of the graph and copies of the "
            "index files, then the graph replaced in one transaction and the files renamed.",
            table,
        )


if __name__ == "__main__":
    main()
