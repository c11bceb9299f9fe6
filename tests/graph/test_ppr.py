"""Personalised PageRank on small hand-made graphs: mass lands where it should."""

import numpy as np
import pytest
import scipy.sparse as sp

from groundgraph.graph.model import Adjacency
from groundgraph.graph.ppr import PprGraph, personalized_pagerank


def walk(edges: list[tuple[int, int]], n: int) -> sp.csr_matrix:
    rows = [a for a, b in edges] + [b for a, b in edges]
    cols = [b for a, b in edges] + [a for a, b in edges]
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    degree = np.asarray(matrix.sum(axis=1)).ravel()
    return (sp.diags(np.divide(1, degree, out=np.zeros(n), where=degree > 0)) @ matrix).tocsr()


def test_scores_are_a_distribution_that_decays_with_distance_from_the_seed() -> None:
    path = walk([(0, 1), (1, 2), (2, 3)], 4)
    scores = personalized_pagerank(path, np.array([1.0, 0, 0, 0]), damping=0.5)
    assert scores.sum() == pytest.approx(1.0)
    assert scores[0] > scores[1] > scores[2] > scores[3] > 0


def test_matches_the_closed_form_solution() -> None:
    graph = walk([(0, 1), (1, 2), (2, 0), (2, 3)], 4)
    reset = np.array([0.2, 0.0, 0.0, 0.8])
    damping = 0.7
    exact = np.linalg.solve(np.eye(4) - damping * graph.T.toarray(), (1 - damping) * reset)
    found = personalized_pagerank(graph, reset, damping, max_iterations=500, tolerance=1e-12)
    np.testing.assert_allclose(found, exact, atol=1e-9)


def test_dangling_nodes_return_their_mass_to_the_seeds() -> None:
    graph = walk([(0, 1)], 3)  # node 2 has no edges
    scores = personalized_pagerank(graph, np.array([0.0, 0.0, 1.0]), damping=0.85)
    assert scores == pytest.approx([0.0, 0.0, 1.0])


def test_bridge_entity_carries_the_walk_to_the_second_document() -> None:
    # q-entity "polonium" is in chunk A, which also names "curie"; chunk B names only "curie";
    # chunk C names an unrelated entity. PPR from polonium must rank A > B > C.
    graph = PprGraph.build(
        Adjacency(
            mentions=(
                ("A", "polonium", 1),
                ("A", "curie", 1),
                ("B", "curie", 1),
                ("B", "warsaw", 1),
                ("C", "paris", 1),
            ),
            relations=(("curie", "warsaw", 1.0),),
        )
    )
    ranked = graph.rank_chunks({"polonium": 1.0}, {}, damping=0.5)
    assert ranked["A"] > ranked["B"] > 0
    assert ranked.get("C", 0.0) == 0.0


def test_synonym_edges_join_two_names_of_one_thing() -> None:
    adjacency = Adjacency(
        mentions=(("A", "js bach", 1), ("B", "johann sebastian bach", 1)), relations=()
    )
    without = PprGraph.build(adjacency).rank_chunks({"js bach": 1.0}, {}, damping=0.5)
    joined = PprGraph.build(adjacency, [("js bach", "johann sebastian bach", 0.9)])
    assert without.get("B", 0.0) == 0.0
    assert joined.rank_chunks({"js bach": 1.0}, {}, damping=0.5)["B"] > 0
