"""A refresh of a Neo4j store staged in an embedded copy of its graph, and published into
Neo4j in one transaction.

Neo4j Community holds one database, so a refresh cannot be written beside the graph there.
The staged copy of the store (`staged_store.py`) holds the graph as an embedded SQLite file
instead: copied from the last published copy (`.published/`) while Neo4j is still at the
version that copy records, else read out of Neo4j (`transfer.copy_graph`, once, or after
another writer changed Neo4j). Triggers in the copy note every document a write touches,
every sentence layer stored and each replacement of the communities; publishing writes just
those into Neo4j (`Neo4jGraphStore.apply_changes`) in one transaction, so readers see the
graph as it was until it commits and the refreshed graph from then on. The copy is then kept
as the new published copy, unless another writer changed Neo4j meanwhile.
"""

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from groundgraph.graph.store_neo4j import Neo4jGraphStore
from groundgraph.graph.stores import SQLITE_FILE, embedded_store
from groundgraph.graph.transfer import copy_graph, stored_document_graphs

PUBLISHED_DIR = ".published"
VERSION_FILE = "neo4j-version"

# What a staged write touched, recorded by the copy itself in the write's own transaction, so
# that every process of a run that writes the copy adds to one account.
JOURNAL = """
CREATE TABLE IF NOT EXISTS staged_documents (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS staged_parses (chunk_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS staged_communities (replaced INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS staged_document_added AFTER INSERT ON documents
  BEGIN INSERT OR IGNORE INTO staged_documents VALUES (new.id); END;
CREATE TRIGGER IF NOT EXISTS staged_document_changed AFTER UPDATE ON documents
  BEGIN INSERT OR IGNORE INTO staged_documents VALUES (new.id); END;
CREATE TRIGGER IF NOT EXISTS staged_document_deleted AFTER DELETE ON documents
  BEGIN INSERT OR IGNORE INTO staged_documents VALUES (old.id); END;
CREATE TRIGGER IF NOT EXISTS staged_parse_stored AFTER INSERT ON chunk_parses
  BEGIN INSERT OR IGNORE INTO staged_parses VALUES (new.chunk_id); END;
CREATE TRIGGER IF NOT EXISTS staged_communities_replaced AFTER INSERT ON meta
  WHEN new.key = 'communities_version'
  BEGIN INSERT OR IGNORE INTO staged_communities VALUES (1); END;
DELETE FROM staged_documents;
DELETE FROM staged_parses;
DELETE FROM staged_communities;
"""


def stage_neo4j_graph(live: Neo4jGraphStore, store_dir: Path, staged_dir: Path) -> None:
    """Write Neo4j's graph as the embedded graph of `staged_dir`, with its journal empty.
    The caller holds the store's writer lock."""
    target = staged_dir / SQLITE_FILE
    published = store_dir / PUBLISHED_DIR
    version = live.version()
    if _published_version(published) == version:
        copy = embedded_store(published)
        try:
            copy.copy_to(target)
        finally:
            copy.close()
    else:
        shutil.rmtree(published, ignore_errors=True)
        copy = embedded_store(staged_dir)
        try:
            copy_graph(live, copy)
        finally:
            copy.close()
    with closing(sqlite3.connect(target)) as conn:
        conn.executescript(JOURNAL)
    (staged_dir / VERSION_FILE).write_text(str(version), encoding="utf-8")


def publish_to_neo4j(live: Neo4jGraphStore, store_dir: Path, staged_dir: Path) -> int:
    """Write into Neo4j, in one transaction, what the staged graph's journal says the run
    changed; keep the staged graph as the published copy. Returns Neo4j's version now. The
    caller holds the writer lock and has closed the staged parts."""
    path = staged_dir / SQLITE_FILE
    with closing(sqlite3.connect(path)) as conn:
        touched = [row[0] for row in conn.execute("SELECT id FROM staged_documents ORDER BY id")]
        parsed = {row[0] for row in conn.execute("SELECT chunk_id FROM staged_parses")}
        replaced = conn.execute("SELECT count(*) FROM staged_communities").fetchone()[0] > 0
    staged = embedded_store(staged_dir)
    try:
        graphs = stored_document_graphs(staged, touched)
        deleted = sorted(set(touched) - {g.document.id for g in graphs})
        written = {c.id for g in graphs for c in g.chunks}
        parses = list(staged.parses(parsed - written).values())
        communities = staged.communities()
        fresh = replaced and communities.graph_version == staged.version()
    finally:
        staged.close()
    staged_from = int((staged_dir / VERSION_FILE).read_text(encoding="utf-8"))
    if graphs or deleted or parses or fresh:
        version = live.apply_changes(
            graphs, deleted, parses, communities.communities if fresh else None
        )
        unchanged_by_others = version == staged_from + 1
    else:
        version = live.version()
        unchanged_by_others = version == staged_from
    published = store_dir / PUBLISHED_DIR
    shutil.rmtree(published, ignore_errors=True)
    if unchanged_by_others:
        published.mkdir()
        os.replace(path, published / SQLITE_FILE)
        (published / VERSION_FILE).write_text(str(version), encoding="utf-8")
    return version


def _published_version(published: Path) -> int | None:
    marker = published / VERSION_FILE
    if not (marker.is_file() and (published / SQLITE_FILE).is_file()):
        return None
    try:
        return int(marker.read_text(encoding="utf-8"))
    except ValueError:
        return None  # a damaged marker: read Neo4j afresh
