"""Synonym edges between entity names whose embeddings are close ("J. S. Bach" and "Johann
Sebastian Bach"), for the PageRank graph.

Up to `synonym_exact_limit` names the k nearest neighbours of every name are exact (matrix
products over all name vectors: 6.5 s for 34k names, but quadratic: about 17 minutes at
1M). Above it they are approximate: the names are bucketed by the nearest of about 4·√n
centre names and each name is compared only with the names of its `_PROBES` nearest
buckets, so the cost grows as n·√n. The centres are a seeded sample of the names themselves
(no k-means), so the buckets, and the edges, are the same on every run and machine for the
same names. bench/synonyms.py measures both paths and the share of exact edges the
approximate one finds.
"""

import math
import random
from collections.abc import Callable, Iterator

import faiss
import numpy as np

from groundgraph.retrieval.base import VectorIndex

# Names compared per matrix product: bounds the (batch × names) score matrix in memory.
_BATCH = 2048
# Buckets searched per name; more finds more of the exact edges, slower.
_PROBES = 16
_SEED = 0
# (all vectors, first row of the batch, k) -> (scores, positions), as `faiss.knn` returns them
_Search = Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]


def synonym_edges(
    names: VectorIndex, threshold: float, neighbours: int, exact_limit: int
) -> Iterator[tuple[str, str, float]]:
    """(entity, entity, similarity) for names of different entities at least `threshold`
    alike, among each name's `neighbours` nearest; exact up to `exact_limit` names."""
    keys = sorted(names)
    if not keys:
        return
    vectors = np.ascontiguousarray(names.vectors(keys), dtype=np.float32)
    k = min(neighbours + 1, len(keys))
    search = _exact if len(keys) <= exact_limit else _approximate(vectors)
    for start in range(0, len(keys), _BATCH):
        scores, rows = search(vectors, start, k)
        for key, row_scores, row in zip(keys[start : start + _BATCH], scores, rows, strict=True):
            entity = names.label(key)
            for score, position in zip(row_scores, row, strict=True):
                if position < 0:
                    continue  # fewer than k names in the probed buckets
                other = names.label(keys[position])
                if score >= threshold and entity < other:
                    yield entity, other, float(score)


def _exact(vectors: np.ndarray, start: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every name against one batch: an `fp16` index scans per query (20 s for 34k names
    against 6.5 s this way), and an `hnsw` one would miss edges."""
    batch = vectors[start : start + _BATCH]
    return faiss.knn(batch, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)


def _approximate(vectors: np.ndarray) -> _Search:
    """An inverted-file index over `vectors` whose buckets are centred on a seeded sample
    of them, and its search."""
    n, dimension = vectors.shape
    buckets = max(1, min(n, int(4 * math.sqrt(n))))
    centres = sorted(random.Random(_SEED).sample(range(n), buckets))
    quantizer = faiss.IndexFlatIP(dimension)
    quantizer.add(vectors[centres])
    index = faiss.IndexIVFFlat(quantizer, dimension, buckets, faiss.METRIC_INNER_PRODUCT)
    index.is_trained = True  # the quantizer holds the centres: nothing to learn
    index.add(vectors)
    index.nprobe = min(_PROBES, buckets)

    def search(all_vectors: np.ndarray, start: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        return index.search(all_vectors[start : start + _BATCH], k)

    return search
