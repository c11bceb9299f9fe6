"""The in-memory PageRank graph of a store, rebuilt only when the store has changed.

Besides the store's mentions and relations, the snapshot links entity names whose embeddings
are close (synonym edges: "J. S. Bach" and "Johann Sebastian Bach"), found in the entity-name
index, so that a question naming one form reaches documents using the other.
"""

import threading

from groundgraph.graph.base import GraphReader
from groundgraph.graph.ppr import PprGraph
from groundgraph.retrieval.base import VectorIndex
from groundgraph.retrieval.retrievers.synonyms import synonym_edges
from groundgraph.retrieval.settings import RetrievalSettings


class GraphSnapshot:
    """Hands out the current `PprGraph`, rebuilding it when `store.version()` moves."""

    def __init__(self, store: GraphReader, names: VectorIndex, settings: RetrievalSettings) -> None:
        self.store = store
        self.names = names
        self.settings = settings
        self._graph: PprGraph | None = None
        self._version: int | None = None
        # Synonym edges depend only on the entity names: a write that changes chunks but no
        # name (most daily edits) reuses them instead of a k-NN search over every name.
        self._synonyms: tuple[frozenset[str], list[tuple[str, str, float]]] | None = None
        self._lock = threading.Lock()
        self.rebuilds = 0
        self.synonym_searches = 0

    def current(self) -> PprGraph:
        version = self.store.version()
        with self._lock:
            if self._graph is None or version != self._version:
                self._graph = self._build()
                self._version = version
                self.rebuilds += 1
            return self._graph

    def memory(self) -> dict | None:
        """The built graph's size (nodes, walk-matrix bytes) and how often it was rebuilt;
        None before the first question builds it."""
        graph = self._graph
        if graph is None:
            return None
        return {"nodes": graph.nodes, "matrix_bytes": graph.matrix_bytes, "rebuilds": self.rebuilds}

    def _build(self) -> PprGraph:
        return PprGraph.build(
            self.store.adjacency(), self._synonym_edges(), self.settings.relation_weight_cap
        )

    def _synonym_edges(self) -> list[tuple[str, str, float]]:
        if not self.settings.synonym_neighbours:
            return []
        names = frozenset(self.names)
        if self._synonyms is None or self._synonyms[0] != names:
            s = self.settings
            found = list(
                synonym_edges(
                    self.names, s.synonym_threshold, s.synonym_neighbours, s.synonym_exact_limit
                )
            )
            self._synonyms = (names, found)
            self.synonym_searches += 1
        return self._synonyms[1]
