"""What analysts want to see of a graph at a glance: its biggest entity types and hubs."""

from collections import Counter
from dataclasses import dataclass

from groundgraph.graph.base import GraphReader


@dataclass(frozen=True)
class ConnectedEntity:
    """An entity and how many distinct entities it is related to."""

    name: str
    type: str
    neighbours: int
    mentions: int


def most_connected(store: GraphReader, n: int = 10) -> list[ConnectedEntity]:
    """The `n` entities related to the most distinct other entities (ties by mentions)."""
    neighbours: dict[str, set[str]] = {}
    for source, target, _ in store.adjacency().relations:
        if source != target:
            neighbours.setdefault(source, set()).add(target)
            neighbours.setdefault(target, set()).add(source)
    degree = Counter({entity_id: len(ids) for entity_id, ids in neighbours.items()})
    top = dict(degree.most_common(n * 2))
    entities = store.entities(top)
    ranked = sorted(entities, key=lambda e: (-top[e.id], -e.mention_count, e.name))[:n]
    return [ConnectedEntity(e.name, e.type, top[e.id], e.mention_count) for e in ranked]
