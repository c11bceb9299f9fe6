"""What a store holds: graph counts and vector index sizes, read without loading a model."""

from dataclasses import dataclass

from groundgraph.assembly import Components
from groundgraph.graph.model import GraphStats


@dataclass(frozen=True)
class StoreStats:
    """What a store holds: graph counts and vector index sizes."""

    graph: GraphStats
    chunk_vectors: int
    entity_vectors: int
    chunk_embedding: tuple[str, ...] = ()  # embedder variants of the chunk vectors

    def to_dict(self) -> dict:
        return {
            "documents": self.graph.documents,
            "chunks": self.graph.chunks,
            "entities": self.graph.entities,
            "relations": self.graph.relations,
            "mentions": self.graph.mentions,
            "entity_types": self.graph.entity_types,
            "chunk_vectors": self.chunk_vectors,
            "entity_vectors": self.entity_vectors,
            "chunk_embedding": list(self.chunk_embedding),
        }


def store_stats(parts: Components) -> StoreStats:
    """The store's graph counts and its published vector indexes' sizes."""
    published = parts.vectors.published()
    return StoreStats(
        parts.store.stats(),
        published.chunk_vectors,
        published.entity_vectors,
        published.chunk_variants,
    )
