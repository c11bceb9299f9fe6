"""A refresh written beside the store and published only when it passes its gate.

The daily job with an evaluation file (`pipelines.eval_file`) must not let a refresh that
breaks answers reach readers. So it writes into a staged copy of the store: the graph copied
by SQLite's online backup, the vector index files, the failure log and the person's entity
decisions. The checks read that copy, and only when they pass is it published. Publishing
replaces the graph in one write transaction and the index files by atomic renames, and
readers of the store, who never saw the staged copy, then see the new version. A run whose
gate fails leaves the store as it was; the next run stages afresh from it.

A Neo4j store is staged too: its copy holds the graph as an embedded file, and publishing
writes what the run changed into Neo4j in one transaction (`staged_neo4j.py`).

A staged copy belongs to one run (its id is in `run`), so the steps of a run that runs in
several processes share it and a later run never builds on a failed one.
"""

import os
import shutil

from groundgraph.assembly import VECTORS_DIR, Components, build_components
from groundgraph.graph.store_neo4j import Neo4jGraphStore
from groundgraph.graph.store_sqlite import SqliteGraphStore
from groundgraph.graph.stores import SQLITE_FILE
from groundgraph.ingest.entity_decisions import DECISIONS_FILE
from groundgraph.ingest.failure_log import FAILURES_FILE
from groundgraph.staged_neo4j import publish_to_neo4j, stage_neo4j_graph

STAGED_DIR = ".staged"
RUN_FILE = "run"


def staged_run(parts: Components) -> str | None:
    """The run whose staged copy lies beside the store, if any."""
    marker = parts.directory / STAGED_DIR / RUN_FILE
    return marker.read_text(encoding="utf-8") if marker.is_file() else None


def open_staged(parts: Components, run: str) -> Components:
    """The staged copy of the store for `run`: made from the store now (under its writer
    lock) unless `run` made it already. The copy's parts share the store's embedder and
    language models; its graph is an embedded one whatever the store's backend."""
    live = parts.store
    staged = parts.directory / STAGED_DIR
    if staged_run(parts) != run:
        with parts.write_lock():
            shutil.rmtree(staged, ignore_errors=True)
            staged.mkdir()
            if isinstance(live, Neo4jGraphStore):
                stage_neo4j_graph(live, parts.directory, staged)
            else:
                assert isinstance(live, SqliteGraphStore), "every backend is one of the two"
                live.copy_to(staged / SQLITE_FILE)
            if (parts.directory / VECTORS_DIR).is_dir():
                shutil.copytree(parts.directory / VECTORS_DIR, staged / VECTORS_DIR)
            for name in (FAILURES_FILE, DECISIONS_FILE):
                if (parts.directory / name).is_file():
                    shutil.copy2(parts.directory / name, staged / name)
            (staged / RUN_FILE).write_text(run, encoding="utf-8")
    embedded = parts.settings.graph.model_copy(update={"backend": "sqlite"})
    settings = parts.settings.model_copy(update={"store": staged, "graph": embedded})
    return build_components(settings, embedder=parts.embedder, chat_models=parts.chat_models)


def publish_staged(parts: Components, staged: Components) -> int:
    """Make the staged copy the store: the graph in one transaction (the embedded file
    replaced, or the run's changes written into Neo4j), then each vector index file and the
    failure log by an atomic rename; the copy is removed. Returns the store version readers
    now see."""
    live = parts.store
    with parts.write_lock():
        staged.close()
        if isinstance(live, Neo4jGraphStore):
            publish_to_neo4j(live, parts.directory, staged.directory)
        else:
            assert isinstance(live, SqliteGraphStore), "every backend is one of the two"
            live.replace_with(staged.directory / SQLITE_FILE)
        vectors = staged.directory / VECTORS_DIR
        if vectors.is_dir():
            (parts.directory / VECTORS_DIR).mkdir(exist_ok=True)
            for file in sorted(vectors.iterdir()):
                if file.is_file():
                    os.replace(file, parts.directory / VECTORS_DIR / file.name)
        if (staged.directory / FAILURES_FILE).is_file():
            os.replace(staged.directory / FAILURES_FILE, parts.directory / FAILURES_FILE)
        shutil.rmtree(staged.directory, ignore_errors=True)
        return live.version()
