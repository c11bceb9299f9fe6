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


@dataclass(frozen=True)
class PredicateCount:
    """A relation predicate, how many relations use it, and one of them as an example."""

    predicate: str
    relations: int
    example: str


def top_predicates(store: GraphReader, n: int = 15) -> list[PredicateCount]:
    """The `n` predicates most relations use, co-occurrence included."""
    counts: Counter[str] = Counter()
    examples: dict[str, tuple[str, str]] = {}
    for relation in store.relations():
        counts[relation.predicate] += 1
        examples.setdefault(relation.predicate, (relation.source_id, relation.target_id))
    top = counts.most_common(n)
    ids = {i for p, _ in top for i in examples[p]}
    names = {e.id: e.name for e in store.entities(ids)}
    return [
        PredicateCount(
            p,
            c,
            f"{names.get(examples[p][0], '?')} — {p.replace('_', ' ')} — "
            f"{names.get(examples[p][1], '?')}",
        )
        for p, c in top
    ]
