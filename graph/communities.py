"""Leiden communities of the entity graph (igraph + leidenalg), the basis of global answers.

Two entities are connected by their relations (weighted by evidence) and by being mentioned in
the same chunk (each chunk spreads one unit of weight over its pairs, so a long list of names
does not outweigh a sentence that relates two of them).
"""

from collections import defaultdict
from itertools import combinations

import igraph
import leidenalg

from groundgraph.graph.model import Adjacency


def entity_edges(adjacency: Adjacency) -> dict[tuple[str, str], float]:
    """Undirected, weighted entity–entity edges from relations and shared chunks."""
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for source, target, weight in adjacency.relations:
        if source != target:
            weights[min(source, target), max(source, target)] += weight
    by_chunk: dict[str, set[str]] = defaultdict(set)
    for chunk_id, entity_id, _ in adjacency.mentions:
        by_chunk[chunk_id].add(entity_id)
    for entities in by_chunk.values():
        if len(entities) > 1:
            share = 1.0 / (len(entities) - 1)
            for a, b in combinations(sorted(entities), 2):
                weights[a, b] += share
    return weights


def detect_communities(
    adjacency: Adjacency, resolution: float = 1.0, min_size: int = 3, seed: int = 0
) -> list[list[str]]:
    """Entity ids grouped by Leiden (modularity with a resolution parameter), largest first.

    Args:
        resolution: above 1 gives more, smaller communities; below 1 fewer, larger ones.
        min_size: smaller groups (pairs, isolated entities) are not themes and are dropped.
        seed: Leiden is randomised; a fixed seed makes refreshes reproducible.
    """
    edges = entity_edges(adjacency)
    if not edges:
        return []
    names = sorted({e for pair in edges for e in pair})
    index = {name: i for i, name in enumerate(names)}
    graph = igraph.Graph(n=len(names), edges=[(index[a], index[b]) for a, b in edges])
    graph.es["weight"] = list(edges.values())
    partition = leidenalg.find_partition(
        graph,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=resolution,
        seed=seed,
    )
    groups = [sorted(names[i] for i in members) for members in partition]
    return sorted((g for g in groups if len(g) >= min_size), key=lambda g: (-len(g), g[0]))
