"""A graph read back as documents and written into another store is the same graph: what a
gated refresh of a Neo4j store relies on to stage it and to publish it."""

from dataclasses import replace

from groundgraph import GroundGraph
from groundgraph.graph.base import GraphReader, GraphStore
from groundgraph.graph.store_neo4j import Neo4jGraphStore
from groundgraph.graph.transfer import copy_graph, stored_document_graphs


def graph_of(store: GraphReader) -> dict[str, list]:
    """Everything a store holds that answers read, in a stable order."""
    chunk_ids = sorted(store.chunk_ids())
    return {
        "documents": sorted(store.documents(), key=lambda d: d.id),
        "chunks": sorted(store.chunks(), key=lambda c: c.id),
        "entities": sorted(store.entities(), key=lambda e: e.id),
        "relations": sorted(store.relations(), key=lambda r: r.id),
        "mentions": sorted(store.mentions(), key=lambda m: (m.chunk_id, m.entity_id, m.surface)),
        "parses": sorted(store.parses(chunk_ids).items()),
    }


def test_a_copied_graph_equals_its_source_and_reads_back_as_the_same_documents(
    store: GraphStore, demo_store: GroundGraph
) -> None:
    source = demo_store.store
    told: list[tuple[int, int]] = []
    assert copy_graph(source, store, lambda done, total: told.append((done, total))) == 38
    assert told[-1] == (38, 38)
    assert graph_of(store) == graph_of(source)
    assert store.communities().communities == source.communities().communities
    assert store.communities().graph_version == store.version()  # they describe the copy

    ids = sorted(d.id for d in source.documents())[:5]
    assert stored_document_graphs(store, [*ids, "no-such-document"]) == stored_document_graphs(
        source, ids
    )


def test_changes_reach_neo4j_in_one_transaction_and_one_version(
    neo4j_store: Neo4jGraphStore, demo_store: GroundGraph
) -> None:
    source = demo_store.store
    copy_graph(source, neo4j_store)
    before = neo4j_store.version()
    ids = sorted(d.id for d in source.documents())
    [changed] = stored_document_graphs(source, ids[:1])
    retitled = replace(changed, document=replace(changed.document, title="Retitled"))
    version = neo4j_store.apply_changes([retitled], ids[1:3], [], ())
    assert version == before + 1 == neo4j_store.version()
    assert neo4j_store.stats().documents == 36
    assert neo4j_store.documents(ids[:1])[0].title == "Retitled"
    assert neo4j_store.communities().graph_version == version  # replaced in the same write
    assert neo4j_store.communities().communities == ()
    assert neo4j_store.check() == []
