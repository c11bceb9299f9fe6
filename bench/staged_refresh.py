"""What the daily job's evaluation gate costs: staging a copy of a store and publishing it.

A gated refresh writes into a staged copy (`groundgraph/staged_store.py`) and publishes it
when its checks pass; both steps copy the whole graph file and the index files, so their time
follows the store's size, not the day's change. This measures both on copies of given stores
(the stores themselves are not touched):

    .venv/bin/python bench/staged_refresh.py --store /tmp/bench-2wiki --store .groundgraph/store

With --neo4j the graph of each store is first written into the Neo4j database that
groundgraph's settings name (`GROUNDGRAPH_NEO4J_*`; the database is emptied first), and the
gate is measured on Neo4j: staging by reading the graph out of Neo4j, staging again from the
copy kept after publishing, and publishing a change to 1 % of the documents.

Prints a table and appends it to bench/RESULTS.md (--no-record to skip); --json prints one
object.
"""

import argparse
import json
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from neo4j import GraphDatabase
from results import record

from groundgraph.assembly import VECTORS_DIR, build_components
from groundgraph.graph.store_neo4j import Neo4jGraphStore
from groundgraph.graph.store_sqlite import SqliteGraphStore
from groundgraph.graph.stores import SQLITE_FILE
from groundgraph.graph.transfer import copy_graph, stored_document_graphs
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


def measure_neo4j(store: Path) -> dict:
    """The gate on Neo4j holding the graph of `store`; times in seconds."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "store"
        shutil.copytree(store / VECTORS_DIR, work / VECTORS_DIR)
        settings = Settings.load(store=work, graph={"backend": "neo4j"})
        parts = build_components(settings)
        assert isinstance(parts.store, Neo4jGraphStore)
        source = SqliteGraphStore(store / SQLITE_FILE)
        began = time.perf_counter()
        documents = copy_graph(source, parts.store)
        load_s = time.perf_counter() - began
        source.close()
        timed: dict[str, float] = {}
        for run in ("read out of Neo4j", "from the kept copy"):
            began = time.perf_counter()
            staged = open_staged(parts, run)
            timed[f"stage s ({run})"] = time.perf_counter() - began
            ids = sorted(d.id for d in staged.store.documents())[: max(1, documents // 100)]
            changed = [
                replace(g, document=replace(g.document, title=f"{g.document.title} ({run})"))
                for g in stored_document_graphs(staged.store, ids)
            ]
            staged.store.upsert(changed)
            began = time.perf_counter()
            publish_staged(parts, staged)
            timed[f"publish 1 % s ({run})"] = time.perf_counter() - began
        stats = parts.store.stats()
        parts.close()
    return {
        "store": f"{store} on Neo4j",
        "documents": stats.documents,
        "entities": stats.entities,
        "load s": round(load_s, 2),
        **{name: round(seconds, 3) for name, seconds in timed.items()},
    }


def neo4j_table(rows: list[dict]) -> str:
    columns = [k for k in rows[0] if k.startswith(("load", "stage", "publish"))]
    return "\n".join(
        [
            "| store | documents | entities | " + " | ".join(columns) + " |",
            "| --- | ---: | ---: |" + " ---: |" * len(columns),
            *(
                f"| {r['store']} | {r['documents']:,} | {r['entities']:,} | "
                + " | ".join(str(r[c]) for c in columns)
                + " |"
                for r in rows
            ),
        ]
    )


EMPTY = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


def empty_neo4j() -> None:
    """Delete everything in the configured Neo4j database, in batches."""
    neo4j = Settings.load().neo4j
    auth = (neo4j.user, neo4j.password.get_secret_value())
    with (
        GraphDatabase.driver(neo4j.uri, auth=auth) as driver,
        driver.session(database=neo4j.database) as session,
    ):
        session.run(EMPTY).consume()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, action="append", required=True)
    parser.add_argument("--neo4j", action="store_true", help="measure on Neo4j (emptied first)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.neo4j:
        rows = []
        for store in args.store:
            empty_neo4j()
            rows.append(measure_neo4j(store))
        empty_neo4j()
        title = "Evaluation gate on Neo4j: staging and publishing"
        how = (
            "`bench/staged_refresh.py --neo4j`: the store's graph written into Neo4j "
            "(load), staged by reading it out of Neo4j into an embedded copy or by copying the "
            "copy kept after the last publish, then 1 % of the documents changed in the copy "
            "and published into Neo4j in one transaction."
        )
        table = neo4j_table(rows)
    else:
        rows = [measure(store) for store in args.store]
        title = "Evaluation gate: staging and publishing a store"
        how = (
            "`bench/staged_refresh.py`: SQLite online backup of the graph and copies of the "
            "index files, then the graph replaced in one transaction and the files renamed."
        )
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
    if args.json:
        print(json.dumps({"stores": rows}))
        return
    print(table)
    if not args.no_record:
        record(title, how, table)


if __name__ == "__main__":
    main()
