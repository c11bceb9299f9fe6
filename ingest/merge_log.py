"""The merge log: every name that resolution or a person merged into another entity, with the
rule, the documents and when.

It is read from the stored mentions, not kept beside them: a mention keeps the surface form
it was found under and the rule that merged it (`Mention.merged_by`), and a form whose
normalised name is not its entity's was merged into it. So the log is always the graph's own
account (a deleted or rebuilt document takes its merges with it) and costs no write of its
own. A person's decisions, with when they were made, come from `entity_decisions.json`.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from groundgraph.graph import ids
from groundgraph.graph.base import GraphReader
from groundgraph.graph.model import Mention
from groundgraph.ingest.entity_decisions import PERSON_MERGE, EntityDecision
from groundgraph.ingest.resolution import display_name, normalise

# What a store written before rules were recorded says of a merge it holds.
EARLIER_RULE = "a resolution rule (not recorded by the version that wrote it)"


@dataclass(frozen=True)
class MergeRecord:
    """One name merged into an entity.

    Attributes:
        name: the merged name, as the documents write it.
        into: the entity's name; `entity_id` its id.
        rule: `contained name` (a shorter name inside the longer one, in one document),
            `acronym`, `a person's merge` or `RDF alias` (owl:sameAs, skos:altLabel).
        documents: URIs of the documents where the merge happens.
        at: when: the person's decision, or the last time one of those documents was written.
    """

    name: str
    into: str
    entity_id: str
    rule: str
    documents: tuple[str, ...]
    at: str

    @property
    def by_person(self) -> bool:
        return self.rule == PERSON_MERGE

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "into": self.into,
            "entity_id": self.entity_id,
            "rule": self.rule,
            "documents": list(self.documents),
            "at": self.at,
        }


@dataclass(frozen=True)
class EntityLog:
    """The merges in force and every decision a person made, oldest first."""

    merges: list[MergeRecord]
    decisions: list[EntityDecision]

    def to_dict(self) -> dict:
        return {
            "merges": [m.to_dict() for m in self.merges],
            "decisions": [vars(d) for d in self.decisions],
        }


def merges_in(
    store: GraphReader,
    decisions: list[EntityDecision],
    doc_ids: Iterable[str] | None = None,
) -> list[MergeRecord]:
    """The merges in the whole store, or in the given documents (a run's), by entity name."""
    if doc_ids is None:
        mentions = store.mentions()
    else:
        in_docs = [c.id for doc_id in doc_ids for c in store.chunks(doc_id=doc_id)]
        mentions = store.mentions(chunk_ids=in_docs) if in_docs else []
    merged: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        key = normalise(m.surface)
        if key and ids.entity_id(key) != m.entity_id:
            merged[(m.entity_id, key)].append(m)
    if not merged:
        return []
    entities = {e.id: e for e in store.entities({entity for entity, _ in merged})}
    merged_chunks = {m.chunk_id for found in merged.values() for m in found}
    chunk_docs = {c.id: c.doc_id for c in store.chunks(merged_chunks)}
    documents = {d.id: d for d in store.documents(set(chunk_docs.values()))}
    decided = {d.pair[0]: d.decided_at for d in decisions if d.kind == "merge"}  # latest wins
    records = []
    for (entity_id, key), found in merged.items():
        entity = entities.get(entity_id)
        if entity is None:
            continue
        surface = Counter(display_name(m.surface) for m in found).most_common(1)[0][0]
        found_in = {chunk_docs.get(m.chunk_id, "") for m in found}
        docs = sorted((documents[d] for d in found_in if d in documents), key=lambda d: d.uri)
        rule = Counter(m.merged_by for m in found).most_common(1)[0][0] or EARLIER_RULE
        at = max((d.updated_at for d in docs), default="")
        if rule == PERSON_MERGE:
            at = decided.get(key, at)
        uris = tuple(d.uri for d in docs)
        records.append(MergeRecord(surface, entity.name, entity_id, rule, uris, at))
    return sorted(records, key=lambda r: (r.into.casefold(), r.name.casefold()))
