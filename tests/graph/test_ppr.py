"""Personalised PageRank on small hand-made graphs: mass lands where it should."""

import numpy as np
import pytest
import scipy.sparse as sp

from groundgraph.graph.model import Adjacency
from groundgraph.graph.ppr import PageRankOperator, PprGraph, personalized_pagerank


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


def random_walk(n: int, edges: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(edges, 2)) if a != b}
    return walk(sorted(pairs), n)


def test_a_walk_from_few_seeds_on_a_large_graph_matches_the_closed_form() -> None:
    # One seed among 400 nodes: the first rounds gather rows, the later ones use the whole
    # matrix; both must give the exact solution.
    graph = random_walk(400, 1200, seed=3)
    reset = np.zeros(400)
    reset[7] = 1.0
    exact = np.linalg.solve(np.eye(400) - 0.8 * graph.T.toarray(), 0.2 * reset)
    found = personalized_pagerank(graph, reset, 0.8, max_iterations=400, tolerance=1e-13)
    np.testing.assert_allclose(found, exact, atol=1e-9)


def test_a_push_threshold_stops_the_walk_near_the_seeds_and_keeps_the_ranking() -> None:
    n = 5000
    path = walk([(i, i + 1) for i in range(n - 1)], n)
    operator = PageRankOperator(path)
    seed = (np.array([0]), np.array([1.0]))
    everywhere, _ = operator.run(*seed, 0.8, max_iterations=100, tolerance=1e-300)
    nearby, scores = operator.run(*seed, 0.8, 100, 1e-300, push_threshold=1e-4)
    assert everywhere.size == 101 and nearby.size < 60
    assert list(np.argsort(-scores)[:10]) == list(range(10))

    graph = random_walk(3000, 9000, seed=5)
    operator = PageRankOperator(graph)
    exact_at, exact = operator.run(np.array([11, 12]), np.array([0.7, 0.3]), 0.8, 12, 1e-4)
    near_at, near = operator.run(np.array([11, 12]), np.array([0.7, 0.3]), 0.8, 12, 1e-4, 1e-5)
    assert set(exact_at[np.argsort(-exact)[:20]]) == set(near_at[np.argsort(-near)[:20]])
    assert np.abs(np.sort(exact)[-20:] - np.sort(near)[-20:]).max() < 1e-4


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
