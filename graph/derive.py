"""How a store derives entity and relation properties from what supports them.

Both stores call these on the rows that remain after a write, so an entity's name, type and
aliases are a function of the current documents only: a clean run and a re-run after a crash
or a deletion give the same graph.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from groundgraph.graph.model import Entity, Evidence, Mention


@dataclass(frozen=True)
class MentionRow:
    """A mention joined with the times of the document that contains it."""

    surface: str
    name: str
    type: str
    count: int
    ingested_at: str
    updated_at: str


def _most_common(counts: Counter[str]) -> str:
    # Ties go to the longer, then alphabetically first, name: "Marie Curie" beats "Curie".
    return min(counts, key=lambda value: (-counts[value], -len(value), value))


def derive_entity(entity_id: str, rows: Iterable[MentionRow]) -> Entity | None:
    """The entity as its mentions describe it, or None when nothing mentions it."""
    names: Counter[str] = Counter()
    types: Counter[str] = Counter()
    forms: set[str] = set()
    first, last = [], []
    for row in rows:
        names[row.name] += row.count
        types[row.type] += row.count
        forms.update((row.surface, row.name))
        first.append(row.ingested_at)
        last.append(row.updated_at)
    if not names:
        return None
    name = _most_common(names)
    return Entity(
        id=entity_id,
        name=name,
        type=_most_common(types),
        aliases=tuple(sorted(forms - {name})),
        mention_count=sum(names.values()),
        first_seen=min(first),
        last_seen=max(last),
    )


def merge_mentions(mentions: Iterable[Mention]) -> list[Mention]:
    """One mention per (chunk, entity, surface), the key stores use, with counts added."""
    merged: dict[tuple[str, str, str], Mention] = {}
    for m in mentions:
        key = (m.chunk_id, m.entity_id, m.surface)
        seen = merged.get(key)
        merged[key] = m if seen is None else replace(seen, count=seen.count + m.count)
    return list(merged.values())


def merge_evidence(evidence: Iterable[Evidence]) -> list[Evidence]:
    """One evidence row per (relation, chunk), with weights added."""
    merged: dict[tuple[str, str], Evidence] = {}
    for e in evidence:
        key = (e.relation_id, e.chunk_id)
        seen = merged.get(key)
        merged[key] = e if seen is None else replace(seen, weight=seen.weight + e.weight)
    return list(merged.values())
