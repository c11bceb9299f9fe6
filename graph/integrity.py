"""Referential checks over a stored graph: no mention or relation may point at a missing node.

Both stores derive entities and relations inside the transaction that writes mentions and
evidence, so a dangling reference means a bug or a hand edit; the pipelines run this after
every refresh to catch either before retrieval serves it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from groundgraph.graph.base import GraphReader
from groundgraph.graph.model import Mention, Relation


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


def chunk_ids_of(store: GraphReader, doc_ids: Iterable[str]) -> set[str]:
    """The ids of the chunks of these documents (what the scoped checks look at)."""
    return {c.id for d in dict.fromkeys(doc_ids) for c in store.chunks(doc_id=d)}


def check_integrity(
    store: GraphReader, examples: int = 5, doc_ids: Iterable[str] | None = None
) -> IntegrityReport:
    """Report mentions and relations whose endpoints are missing.

    With `doc_ids` (the documents a write stored), only the references that write added
    are read: the mentions in those documents' chunks and the relations those chunks
    evidence, so a daily check costs what the day changed. Without, every mention and
    relation is read (chunk ids only, never their text).
    """
    if doc_ids is None:
        chunk_ids = store.chunk_ids()
        entity_ids = {e.id for e in store.entities()}
        return _report(chunk_ids, entity_ids, store.mentions(), store.relations(), examples)
    chunk_ids = chunk_ids_of(store, doc_ids)
    mentions = store.mentions(chunk_ids=chunk_ids)
    mentioned = {m.entity_id for m in mentions}
    relations = [r for r in store.relations(mentioned) if chunk_ids & set(r.evidence)]
    ends = mentioned | {i for r in relations for i in (r.source_id, r.target_id)}
    entity_ids = {e.id for e in store.entities(ends)}
    evidenced = [
        replace(r, evidence=tuple(c for c in r.evidence if c in chunk_ids)) for r in relations
    ]
    return _report(chunk_ids, entity_ids, mentions, evidenced, examples)


def _report(
    chunk_ids: set[str],
    entity_ids: set[str],
    mentions: Iterable[Mention],
    relations: Iterable[Relation],
    examples: int,
) -> IntegrityReport:
    found: list[str] = []
    no_chunk = no_entity = 0
    for m in mentions:
        if m.chunk_id not in chunk_ids:
            no_chunk += 1
            found.append(f"mention of {m.name!r} in missing chunk {m.chunk_id}")
        if m.entity_id not in entity_ids:
            no_entity += 1
            found.append(f"mention {m.surface!r} of missing entity {m.entity_id}")
    no_endpoint = no_evidence = 0
    for r in relations:
        if r.source_id not in entity_ids or r.target_id not in entity_ids:
            no_endpoint += 1
            found.append(f"relation {r.predicate!r} {r.id} between missing entities")
        if not r.evidence or any(c not in chunk_ids for c in r.evidence):
            no_evidence += 1
            found.append(f"relation {r.predicate!r} {r.id} cites a missing chunk")
    return IntegrityReport(no_chunk, no_entity, no_endpoint, no_evidence, tuple(found[:examples]))
