"""Referential checks over a stored graph: no mention or relation may point at a missing node.

Both stores derive entities and relations inside the transaction that writes mentions and
evidence, so a dangling reference means a bug or a hand edit; the pipelines run this after
every refresh to catch either before retrieval serves it.
"""

from dataclasses import dataclass

from groundgraph.graph.base import GraphReader


@dataclass(frozen=True)
class IntegrityReport:
    """References that point at nodes the store does not hold (a few examples of each)."""

    mentions_without_chunk: int
    mentions_without_entity: int
    relations_without_entity: int
    relations_without_evidence: int
    examples: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (
            self.mentions_without_chunk
            or self.mentions_without_entity
            or self.relations_without_entity
            or self.relations_without_evidence
        )


def check_integrity(store: GraphReader, examples: int = 5) -> IntegrityReport:
    """Read every mention and relation and report those whose endpoints are missing."""
    chunk_ids = {c.id for c in store.chunks()}
    entity_ids = {e.id for e in store.entities()}
    found: list[str] = []
    no_chunk = no_entity = 0
    for m in store.mentions():
        if m.chunk_id not in chunk_ids:
            no_chunk += 1
            found.append(f"mention of {m.name!r} in missing chunk {m.chunk_id}")
        if m.entity_id not in entity_ids:
            no_entity += 1
            found.append(f"mention {m.surface!r} of missing entity {m.entity_id}")
    no_endpoint = no_evidence = 0
    for r in store.relations():
        if r.source_id not in entity_ids or r.target_id not in entity_ids:
            no_endpoint += 1
            found.append(f"relation {r.predicate!r} {r.id} between missing entities")
        if not r.evidence or any(c not in chunk_ids for c in r.evidence):
            no_evidence += 1
            found.append(f"relation {r.predicate!r} {r.id} cites a missing chunk")
    return IntegrityReport(no_chunk, no_entity, no_endpoint, no_evidence, tuple(found[:examples]))
