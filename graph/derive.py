"""How a store derives entity and relation properties from what supports them.

Both stores call these on the rows that remain after a write, so an entity's name, type and
aliases are a function of the current documents only: a clean run and a re-run after a crash
or a deletion give the same graph.
"""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

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


@dataclass
class SeenSpan:
    """When an entity or relation was first and last seen: the least `ingested_at` and the
    greatest `updated_at` of the documents that support it.

    A minimum or maximum cannot be updated by a removal: removing the extreme marks the span
    `stale`, unless an addition in the same write reaches it again, and a stale span is
    rebuilt from everything that supports it.
    """

    first: str = ""
    last: str = ""
    stale_first: bool = False
    stale_last: bool = False

    @property
    def stale(self) -> bool:
        return self.stale_first or self.stale_last

    def add(self, ingested_at: str, updated_at: str) -> None:
        if not self.first or ingested_at <= self.first:
            self.first, self.stale_first = ingested_at, False
        if updated_at >= self.last:
            self.last, self.stale_last = updated_at, False

    def remove(self, ingested_at: str, updated_at: str) -> None:
        self.stale_first = self.stale_first or ingested_at == self.first
        self.stale_last = self.stale_last or updated_at == self.last


@dataclass
class EntityTally:
    """What an entity's mentions add up to, kept so that a write applies only its own
    mentions' delta instead of re-reading every mention of the entity (a hub has
    thousands). Name, type and form counts are exact under additions and removals; the
    seen span may turn stale (see `SeenSpan`)."""

    names: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    forms: Counter[str] = field(default_factory=Counter)  # mentions carrying each form
    seen: SeenSpan = field(default_factory=SeenSpan)

    def add(self, row: MentionRow) -> None:
        self.names[row.name] += row.count
        self.types[row.type] += row.count
        self.forms.update({row.surface, row.name})
        self.seen.add(row.ingested_at, row.updated_at)

    def remove(self, row: MentionRow) -> None:
        self.names.subtract({row.name: row.count})
        self.types.subtract({row.type: row.count})
        self.forms.subtract({row.surface, row.name})
        for counts in (self.names, self.types, self.forms):
            for key in [k for k, n in counts.items() if n <= 0]:
                del counts[key]
        self.seen.remove(row.ingested_at, row.updated_at)

    def entity(self, entity_id: str) -> Entity | None:
        """The entity these mentions describe, or None when nothing mentions it."""
        if not self.names:
            return None
        name = _most_common(self.names)
        return Entity(
            id=entity_id,
            name=name,
            type=_most_common(self.types),
            aliases=tuple(sorted(set(self.forms) - {name})),
            mention_count=sum(self.names.values()),
            first_seen=self.seen.first,
            last_seen=self.seen.last,
        )

    def to_json(self) -> str:
        return json.dumps(
            {"names": self.names, "types": self.types, "forms": self.forms}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str, first_seen: str, last_seen: str) -> "EntityTally":
        data = json.loads(text)
        return cls(
            Counter(data["names"]),
            Counter(data["types"]),
            Counter(data["forms"]),
            SeenSpan(first_seen, last_seen),
        )


def tally_mentions(rows: Iterable[MentionRow]) -> EntityTally:
    tally = EntityTally()
    for row in rows:
        tally.add(row)
    return tally


def derive_entity(entity_id: str, rows: Iterable[MentionRow]) -> Entity | None:
    """The entity as its mentions describe it, or None when nothing mentions it."""
    return tally_mentions(rows).entity(entity_id)


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
