"""Personalised PageRank over the entity–chunk graph, on a scipy sparse matrix.

The graph has a node per entity and per chunk; edges are mentions (chunk–entity), relations
(entity–entity) and any extra entity–entity edges the caller adds (synonyms). A walk restarts
at the seeds with probability `1 - damping` at each step, so the stationary distribution
concentrates on chunks close to the question's entities: HippoRAG's retrieval, on a graph
built without an LLM.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from groundgraph.graph.model import Adjacency


def personalized_pagerank(
    walk: sp.csr_matrix,
    reset: np.ndarray,
    damping: float,
    max_iterations: int = 50,
    tolerance: float = 1e-6,
) -> np.ndarray:
    """Scores p with p = damping · Wᵀp + (1 − damping) · reset, by power iteration.

    Args:
        walk: row-stochastic transition matrix (rows of dangling nodes may be all zero; their
            mass returns to the reset distribution).
        reset: non-negative restart weights; normalised here.
        damping: probability of following an edge rather than restarting.
        max_iterations: the error after k iterations is at most damping^k (L1).
        tolerance: stop once the mass still walking (which bounds the L1 error) is below this.

    Returns:
        A probability vector over the nodes.
    """
    seeds = np.flatnonzero(reset)
    nodes, scores = PageRankOperator(walk).run(
        seeds, reset[seeds], damping, max_iterations, tolerance
    )
    dense = np.zeros(reset.shape, dtype=np.float64)
    dense[nodes] = scores
    return dense


class PageRankOperator:
    """The walk matrix (rows: where the walk is, float32) and its dangling rows, kept once
    per graph.

    `run` spreads the restart mass hop by hop (forward push in rounds): round t holds the mass
    that has walked t steps; each round keeps 1 − damping of it as score and sends the rest
    along the edges. With `push_threshold` 0 that is the power iteration exactly, and each
    round touches the whole reachable graph: at a million chunks, 12 rounds of a 1.35M-node
    matrix product were most of a question's 255 ms. Above 0, only nodes holding at least that
    much mass send it on, so the work follows the seeds' neighbourhood instead of the graph's
    size; the mass left unsent is at most the threshold per node, far below the scores that
    decide a ranking.
    """

    # A round whose senders are fewer than nodes / _SPARSE_SHARE gathers their rows; more,
    # and one product with the whole matrix is cheaper than sorting their targets.
    _SPARSE_SHARE = 16

    def __init__(self, walk: sp.csr_matrix) -> None:
        self.walk = walk.tocsr().astype(np.float32)
        self.dangling = np.asarray(walk.sum(axis=1)).ravel() == 0

    @property
    def nodes(self) -> int:
        return int(self.walk.shape[0])

    def run(
        self,
        seeds: np.ndarray,
        weights: np.ndarray,
        damping: float,
        max_iterations: int,
        tolerance: float,
        push_threshold: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(nodes, scores) of every node that received mass, from restart `weights` at the
        node numbers `seeds` (normalised here)."""
        total = float(weights.sum())
        if total <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        restart_at, restart = self._gather(seeds, weights / total)
        at, mass = restart_at, restart
        settled_at, settled = [], []
        for _ in range(max_iterations):
            settled_at.append(at)
            settled.append((1 - damping) * mass)
            moving = mass >= push_threshold
            sources, sent = at[moving], damping * mass[moving]
            targets, flow = self._spread(sources, sent)
            lost = float(sent[self.dangling[sources]].sum())
            if lost:
                targets = np.concatenate([targets, restart_at])
                flow = np.concatenate([flow, lost * restart])
            at, mass = self._gather(targets, flow)
            if mass.sum() < tolerance:
                break
        # The mass still walking stays where it is, as the power iteration leaves it.
        settled_at.append(at)
        settled.append(mass)
        return self._gather(np.concatenate(settled_at), np.concatenate(settled))

    def _spread(self, sources: np.ndarray, sent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One step of the walk from `sources` carrying `sent`: (targets, mass), unsummed."""
        if sources.size * self._SPARSE_SHARE < self.nodes:
            rows = self.walk[sources]
            return rows.indices, rows.data * np.repeat(sent, np.diff(rows.indptr))
        carried = np.zeros(self.nodes, dtype=np.float32)
        carried[sources] = sent
        spread = self.walk.T @ carried
        targets = np.flatnonzero(spread)
        return targets, spread[targets].astype(np.float64)

    def _gather(self, nodes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sum `values` per node: (distinct nodes, sums)."""
        if nodes.size * self._SPARSE_SHARE < self.nodes:
            distinct, where = np.unique(nodes, return_inverse=True)
            return distinct, np.bincount(where, weights=values, minlength=distinct.size)
        summed = np.bincount(nodes, weights=values, minlength=self.nodes)
        distinct = np.flatnonzero(summed)
        return distinct, summed[distinct]


@dataclass(frozen=True)
class PprGraph:
    """A snapshot of the graph as a transition matrix, with node numbering.

    Nodes 0..E-1 are entities, E..E+C-1 chunks.
    """

    entities: dict[str, int]
    chunks: dict[str, int]
    chunk_ids: tuple[str, ...]
    entity_chunk_counts: dict[str, int]
    operator: PageRankOperator  # holds the only copy of the walk matrix, in float32

    @property
    def nodes(self) -> int:
        return self.operator.nodes

    @property
    def matrix_bytes(self) -> int:
        """Memory of the walk matrix: 8 bytes per edge direction (float32 weight and int32
        column) plus 5 per node; the id maps add about 200 bytes per node."""
        m = self.operator.walk
        return int(
            m.data.nbytes + m.indices.nbytes + m.indptr.nbytes + self.operator.dangling.nbytes
        )

    @classmethod
    def build(
        cls,
        adjacency: Adjacency,
        extra_edges: Iterable[tuple[str, str, float]] = (),
        relation_weight_cap: float = 1.0,
    ) -> "PprGraph":
        """Make the symmetric, weighted graph and its random-walk matrix.

        Args:
            adjacency: mentions and relations from the store.
            extra_edges: further (entity, entity, weight) edges, such as synonyms.
            relation_weight_cap: a relation's edge weight is min(weight, cap), so a pair that
                co-occurs a hundred times does not drown every other path.
        """
        entity_ids = sorted(
            {e for _, e, _ in adjacency.mentions}
            | {s for s, _, _ in adjacency.relations}
            | {t for _, t, _ in adjacency.relations}
        )
        chunk_ids = sorted({c for c, _, _ in adjacency.mentions})
        entities = {e: i for i, e in enumerate(entity_ids)}
        chunks = {c: len(entities) + i for i, c in enumerate(chunk_ids)}
        rows: list[int] = []
        cols: list[int] = []
        weights: list[float] = []

        def edge(a: int, b: int, w: float) -> None:
            rows.extend((a, b))
            cols.extend((b, a))
            weights.extend((w, w))

        counts: dict[str, int] = {}
        for chunk, entity, _ in adjacency.mentions:
            edge(chunks[chunk], entities[entity], 1.0)
            counts[entity] = counts.get(entity, 0) + 1
        for source, target, weight in adjacency.relations:
            edge(entities[source], entities[target], min(weight, relation_weight_cap))
        for source, target, weight in extra_edges:
            if source in entities and target in entities:
                edge(entities[source], entities[target], weight)
        n = len(entities) + len(chunks)
        matrix = sp.csr_matrix((weights, (rows, cols)), shape=(n, n), dtype=np.float64)
        degree = np.asarray(matrix.sum(axis=1)).ravel()
        inverse = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
        walk = sp.diags(inverse) @ matrix
        walk = walk.tocsr()
        return cls(entities, chunks, tuple(chunk_ids), counts, PageRankOperator(walk))

    def rank_chunks(
        self,
        entity_seeds: Mapping[str, float],
        chunk_seeds: Mapping[str, float],
        damping: float,
        max_iterations: int = 50,
        tolerance: float = 1e-6,
        min_ratio: float = 0.0,
        push_threshold: float = 0.0,
    ) -> dict[str, float]:
        """PPR scores of the chunks, restarting at the seeded entities and chunks; only
        chunks scoring above `min_ratio` × the best chunk's score are returned (a caller that
        reads scores on a log scale needs no more). `push_threshold`: see `PageRankOperator`."""
        seeds = [(self.entities[e], w) for e, w in entity_seeds.items() if e in self.entities]
        seeds += [(self.chunks[c], w) for c, w in chunk_seeds.items() if c in self.chunks]
        if not seeds:
            return {}
        nodes, scores = self.operator.run(
            np.array([n for n, _ in seeds], dtype=np.int64),
            np.array([w for _, w in seeds], dtype=np.float64),
            damping,
            max_iterations,
            tolerance,
            push_threshold,
        )
        offset = len(self.entities)
        is_chunk = nodes >= offset
        nodes, scores = nodes[is_chunk] - offset, scores[is_chunk]
        floor = scores.max(initial=0.0) * min_ratio
        kept = scores > floor
        return {self.chunk_ids[i]: float(s) for i, s in zip(nodes[kept], scores[kept], strict=True)}
