"""Synonym edges: exact nearest names below the limit, approximate above it, and the
approximate search finds the close pairs, the same ones on every run."""

import numpy as np

from groundgraph.retrieval.indexes.faiss_index import FaissIndex
from groundgraph.retrieval.retrievers.synonyms import synonym_edges

DIMENSION = 32


def paired_names(pairs: int, seed: int = 0) -> tuple[FaissIndex, set[tuple[str, str]]]:
    """`pairs` entities with two names each whose vectors are nearly equal, far from the
    other pairs; and the (entity, entity) edges between the pairs' entities."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(pairs, DIMENSION))
    vectors = np.concatenate([centres, centres + rng.normal(0, 0.01, centres.shape)])
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    keys = [f"{i + 1:015x}" for i in range(2 * pairs)]
    labels = [f"entity-{i}" for i in range(2 * pairs)]
    index = FaissIndex(DIMENSION, "test")
    index.add(keys, vectors, labels)
    ends = [(f"entity-{i}", f"entity-{i + pairs}") for i in range(pairs)]
    return index, {(min(a, b), max(a, b)) for a, b in ends}


def edges(index: FaissIndex, exact_limit: int) -> set[tuple[str, str]]:
    return {(a, b) for a, b, _ in synonym_edges(index, 0.9, 3, exact_limit)}


def test_exact_and_approximate_searches_find_the_close_names() -> None:
    index, expected = paired_names(400)
    assert edges(index, exact_limit=len(index)) == expected
    assert edges(index, exact_limit=0) == expected


def test_the_approximate_search_gives_the_same_edges_every_time() -> None:
    index, _ = paired_names(300, seed=1)
    found = [list(synonym_edges(index, 0.0, 5, exact_limit=0)) for _ in range(2)]
    assert found[0] == found[1] and len(found[0]) > 300


def test_names_of_one_entity_give_no_edge() -> None:
    index = FaissIndex(DIMENSION, "test")
    vector = np.ones((2, DIMENSION), dtype=np.float32) / np.sqrt(DIMENSION)
    index.add(["0a", "0b"], vector, ["same", "same"])
    assert edges(index, exact_limit=10) == set() and edges(index, exact_limit=0) == set()
