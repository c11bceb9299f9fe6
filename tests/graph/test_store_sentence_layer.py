"""The sentence layer's part of the `GraphStore` contract, run against every backend."""

from dataclasses import replace

from groundgraph.graph.base import GraphStore
from groundgraph.graph.model import ChunkParse, DocumentGraph
from tests.graph.test_store_contract import CURIE, WARSAW, document_graph


def _layered(graph: DocumentGraph, model: str = "parser-a") -> DocumentGraph:
    """The graph with a sentence layer whose bytes name their chunk's text."""
    return replace(
        graph,
        parses=tuple(ChunkParse(c.id, model, c.text.encode() + b"\x00\xff") for c in graph.chunks),
    )


def test_sentence_layer_follows_its_chunk_through_update_and_delete(store: GraphStore) -> None:
    store.upsert([_layered(CURIE), WARSAW])
    curie_ids = [c.id for c in CURIE.chunks]
    warsaw_id = WARSAW.chunks[0].id
    stored = store.parses([*curie_ids, warsaw_id])
    assert sorted(stored) == sorted(curie_ids)
    assert stored[curie_ids[0]].data == b"Marie Curie was born in Warsaw.\x00\xff"
    assert store.chunks_without_parse("parser-a") == [warsaw_id]
    assert sorted(store.chunks_without_parse("parser-b")) == sorted([*curie_ids, warsaw_id])

    edited = document_graph(
        "file:///curie.md", ["Marie Curie was born in Warsaw in 1867."], [(0, "Warsaw", "GPE")]
    )
    store.upsert([_layered(edited)])
    assert store.parses(curie_ids) == {}  # the old chunks' layer went with them
    new_id = edited.chunks[0].id
    assert store.parses([new_id])[new_id].data.startswith(b"Marie Curie was born in Warsaw in")

    store.delete_documents([edited.document.id])
    assert store.parses([new_id]) == {}
    assert store.chunks_without_parse("parser-a") == [warsaw_id]


def test_sentence_layer_is_written_in_place_for_stored_chunks_only(store: GraphStore) -> None:
    store.upsert([WARSAW])
    version = store.version()
    warsaw = WARSAW.chunks[0]
    written = store.put_parses(
        [ChunkParse(warsaw.id, "parser-a", b"layer"), ChunkParse("gone", "parser-a", b"x")]
    )
    assert written == 1
    assert store.parses([warsaw.id, "gone"]) == {
        warsaw.id: ChunkParse(warsaw.id, "parser-a", b"layer")
    }
    assert store.chunks_without_parse("parser-a") == []
    assert store.version() == version  # what the graph says did not change
