"""The reference check, over the whole store and over what a write stored."""

import sqlite3
from pathlib import Path

from groundgraph.graph import ids
from groundgraph.graph.integrity import check_integrity
from groundgraph.graph.store_sqlite import SqliteGraphStore
from tests.graph.test_store_contract import CURIE, WARSAW


def test_a_missing_entity_is_found_by_a_full_check_and_by_the_writes_that_mention_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "graph.sqlite"
    store = SqliteGraphStore(path)
    store.upsert([CURIE, WARSAW])
    assert check_integrity(store).ok
    assert check_integrity(store, doc_ids=[CURIE.document.id]).ok
    with sqlite3.connect(path) as conn:  # a hand edit: Polonium's entity row goes
        conn.execute("DELETE FROM entities WHERE id = ?", (ids.entity_id("polonium"),))
    full = check_integrity(store)
    assert (full.mentions_without_entity, full.relations_without_entity) == (1, 1)
    scoped = check_integrity(store, doc_ids=[CURIE.document.id])
    assert (scoped.mentions_without_entity, scoped.relations_without_entity) == (1, 1)
    assert "Polonium" in " ".join(scoped.examples)
    assert check_integrity(store, doc_ids=[WARSAW.document.id]).ok  # not what Warsaw wrote
    store.close()
