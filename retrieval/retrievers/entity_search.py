"""Entities by name: the exact name first, then the nearest names and aliases in the entity
index, so "Curie" finds "Marie Curie" and "Pierre Curie" and a typo still finds its entity."""

from dataclasses import dataclass

from groundgraph.graph.base import GraphReader
from groundgraph.graph.ids import entity_id
from groundgraph.graph.model import Entity
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.base import Embedder, VectorIndex

MIN_SIMILARITY = 0.35  # cosine below which a name is not offered as a match


@dataclass(frozen=True)
class EntityMatch:
    entity: Entity
    score: float  # 1.0 for the exact name


def search_entities(
    store: GraphReader, index: VectorIndex, embedder: Embedder, query: str, limit: int = 10
) -> list[EntityMatch]:
    """Up to `limit` entities whose name or an alias is nearest `query`, best first."""
    best: dict[str, float] = {}
    exact = entity_id(normalise(query))
    if store.entities([exact]):
        best[exact] = 1.0
    if len(index):
        # Several keys (name, aliases) can stand for one entity: ask for more than `limit`.
        vector = embedder.embed_short([query])
        for key, score in index.search(vector, limit * 3)[0]:
            found, score = index.label(key), min(float(score), 1.0)  # fp16 rounding
            if score >= MIN_SIMILARITY and score > best.get(found, 0.0):
                best[found] = score
    entities = {e.id: e for e in store.entities(best)}
    ranked = sorted(
        (EntityMatch(entities[i], s) for i, s in best.items() if i in entities),
        key=lambda m: (-m.score, m.entity.name),
    )
    return ranked[:limit]
