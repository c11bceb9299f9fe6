"""What only the Neo4j store has: clear connection errors, the schema it creates, the chunk
order it keeps as `NEXT` relationships, and entity tallies that stay exact when two processes
write in turn (each remembers what it wrote last)."""

import itertools
from collections.abc import Iterable, Sequence

import pytest
from neo4j import GraphDatabase
from pydantic import SecretStr

from groundgraph.graph.base import StoreError
from groundgraph.graph.model import DocumentGraph
from groundgraph.graph.settings import Neo4jSettings
from groundgraph.graph.store_neo4j import Neo4jGraphStore
from tests.conftest import _free_port, wipe_neo4j
from tests.graph.test_store_contract import (
    CURIE,
    document_graph,
    exact_properties,
    random_history,
    with_merged_curie,
)


def test_unreachable_server_is_one_clear_error() -> None:
    settings = Neo4jSettings(
        uri=f"bolt://127.0.0.1:{_free_port()}", password=SecretStr("x"), connection_timeout=2
    )
    with pytest.raises(StoreError, match=r"not reachable.*scripts/neo4j\.sh start"):
        Neo4jGraphStore(settings)


def test_wrong_password_is_one_clear_error(neo4j_server: Neo4jSettings) -> None:
    wrong = neo4j_server.model_copy(update={"password": SecretStr("not-the-password")})
    with pytest.raises(StoreError, match="refused user 'neo4j': wrong user or password"):
        Neo4jGraphStore(wrong)


def test_connecting_creates_constraints_and_full_text_indexes(neo4j_server: Neo4jSettings) -> None:
    Neo4jGraphStore(neo4j_server).close()
    auth = (neo4j_server.user, neo4j_server.password.get_secret_value())
    with GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver:
        indexes, _, _ = driver.execute_query("SHOW INDEXES YIELD name, type RETURN name, type")
        constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")
    kinds = {r["name"]: r["type"] for r in indexes}
    assert kinds["chunk_text"] == "FULLTEXT" and kinds["entity_names"] == "FULLTEXT"
    assert {"document_id", "chunk_id", "entity_id"} <= {r["name"] for r in constraints}


def test_chunks_are_linked_in_order_across_statements_and_rewrites(
    neo4j_server: Neo4jSettings,
) -> None:
    # One row per statement: each chunk's predecessor was written by an earlier statement.
    wipe_neo4j(neo4j_server)
    store = Neo4jGraphStore(neo4j_server.model_copy(update={"batch_size": 1}))
    store.upsert([document_graph("file:///a.md", ["One.", "Two.", "Three."], [])])
    store.upsert([document_graph("file:///a.md", ["One.", "Deux.", "Three.", "Four."], [])])
    store.close()
    auth = (neo4j_server.user, neo4j_server.password.get_secret_value())
    with GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver:
        links, _, _ = driver.execute_query(
            "MATCH (a:Chunk)-[:NEXT]->(b:Chunk) "
            "RETURN a.text AS one, b.text AS next ORDER BY a.ordinal"
        )
    assert [(r["one"], r["next"]) for r in links] == [
        ("One.", "Deux."),
        ("Deux.", "Three."),
        ("Three.", "Four."),
    ]


class TakingTurns:
    """Writers of one database, each call made by the next, as separate processes would."""

    def __init__(self, *stores: Neo4jGraphStore) -> None:
        self.stores = itertools.cycle(stores)

    def upsert(self, graphs: Sequence[DocumentGraph]) -> None:
        next(self.stores).upsert(graphs)

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        return next(self.stores).delete_documents(doc_ids)


@pytest.mark.parametrize("seed", [4, 5])
def test_writers_taking_turns_keep_entities_equal_to_their_exact_derivation(
    neo4j_server: Neo4jSettings, seed: int
) -> None:
    wipe_neo4j(neo4j_server)
    first, second = Neo4jGraphStore(neo4j_server), Neo4jGraphStore(neo4j_server)
    try:
        random_history(TakingTurns(first, first, second), seed, steps=60)
        entities, _ = exact_properties(first)
        stored = {e.id: e for e in second.entities()}
        assert {eid: stored.get(eid) for eid in entities} == entities
    finally:
        first.close()
        second.close()


def test_merged_names_are_same_as_their_entity_with_the_rule_and_go_with_the_document(
    neo4j_server: Neo4jSettings,
) -> None:
    wipe_neo4j(neo4j_server)
    store = Neo4jGraphStore(neo4j_server)
    auth = (neo4j_server.user, neo4j_server.password.get_secret_value())
    query = (
        "MATCH (:Document)-[:HAS_MERGED_NAME]->(n:MergedName)-[s:SAME_AS]->(e:Entity) "
        "RETURN n.name AS name, e.name AS entity, s.rule AS rule, s.document AS document"
    )
    with GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver:
        store.upsert([with_merged_curie(CURIE)])
        store.upsert([with_merged_curie(CURIE)])  # a rewrite replaces, never adds
        same_as, _, _ = driver.execute_query(query)
        assert [dict(r) for r in same_as] == [
            {
                "name": "Curie",
                "entity": "Marie Curie",
                "rule": "contained name",
                "document": "file:///curie.md",
            }
        ]
        store.upsert([CURIE])
        assert not driver.execute_query(query)[0]
        store.upsert([with_merged_curie(CURIE)])
        store.delete_documents([CURIE.document.id])
        left, _, _ = driver.execute_query("MATCH (n:MergedName) RETURN count(n) AS n")
        assert left[0]["n"] == 0
    store.close()
