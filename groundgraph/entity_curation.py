"""A person's merge or split of entities: recorded, then applied by rebuilding the documents
it touches through the one write path.

The decision is recorded first (`entity_decisions.json`), under the writer lock, so the
rebuild that follows, and every later ingest and refresh, resolves names with it. The
documents touched are read again from their sources as a refresh would read them; one whose
source is gone keeps its old resolution until it is re-ingested or deleted, and the report
says which.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from groundgraph.assembly import Components
from groundgraph.graph import ids
from groundgraph.graph.errors import UsageError
from groundgraph.graph.model import Document
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.ingest.changes import sources_of
from groundgraph.ingest.entity_decisions import DecisionKind, EntityDecision, rules_of
from groundgraph.ingest.merge_log import EntityLog, merges_in
from groundgraph.ingest.resolution import normalise
from groundgraph.ingest.sources import uri_path
from groundgraph.write_path import IngestReport, write_sources


class EntityNotFoundError(UsageError):
    """A name that no entity has, as its name or as an alias."""


@dataclass(frozen=True)
class DecisionReport:
    """What a merge or split did.

    Attributes:
        decision: the decision as recorded.
        rebuilt: the write that rebuilt the touched documents.
        not_rebuilt: URIs of touched documents whose source could not be read again.
    """

    decision: EntityDecision
    rebuilt: IngestReport
    not_rebuilt: list[str]

    def to_dict(self) -> dict:
        return {
            "decision": vars(self.decision),
            "rebuilt_documents": self.rebuilt.updated,
            "not_rebuilt": self.not_rebuilt,
            "errors": self.rebuilt.to_dict()["errors"],
        }


def entity_log(parts: Components, doc_ids: list[str] | None = None) -> EntityLog:
    """Every merge in force (or those in the given documents) and every decision."""
    decisions = parts.entity_decisions.read()
    return EntityLog(merges_in(parts.store, decisions, doc_ids), decisions)


def merge_entities(
    parts: Components, name: str, into: str, note: str = "", progress: Progress = no_progress
) -> DecisionReport:
    """Make `name` an alias of `into`, now and in every later build.

    Raises:
        EntityNotFoundError: no entity is named (or aliased) `name` or `into`.
        EntityDecisionError: the two are one name, or `into` is merged into `name`.
    """
    with parts.write_lock(progress):
        entity_of(parts, name)
        entity_of(parts, into)
        touched = _documents_mentioning(parts, normalise(name), lambda _: True)
        return _decide(parts, "merge", name, into, note, touched, progress)


def split_entity(
    parts: Components, name: str, from_: str, note: str = "", progress: Progress = no_progress
) -> DecisionReport:
    """Keep `name` apart from the entity `from_` it was merged into, now and in every later
    build.

    Raises:
        UsageError: `name` is not merged into `from_` (the log lists what is).
    """
    with parts.write_lock(progress):
        key = normalise(name)
        target = normalise(from_)
        merged = _merged_target(parts, key)
        touched = _documents_mentioning(parts, target, lambda surface: normalise(surface) == key)
        if not touched and merged != target:
            raise UsageError(
                f"{name!r} is not merged into {from_!r}; `groundgraph entities log` lists the "
                "merges in force"
            )
        return _decide(parts, "split", name, from_, note, touched, progress)


def _decide(
    parts: Components,
    kind: DecisionKind,
    name: str,
    into: str,
    note: str,
    touched: list[Document],
    progress: Progress,
) -> DecisionReport:
    decision = parts.entity_decisions.record(kind, name, into, note)
    readable = [d for d in touched if uri_path(d.uri).exists() or Path(d.source).exists()]
    again = sources_of(readable, rebuild=frozenset(d.uri for d in readable))
    rebuilt = write_sources(parts, again, progress)
    lost = sorted({d.uri for d in touched} - set(rebuilt.updated))
    return DecisionReport(decision, rebuilt, lost)


def _merged_target(parts: Components, key: str) -> str:
    return rules_of(parts.entity_decisions.read()).merged.get(key, ("",))[0]


def _documents_mentioning(
    parts: Components, key: str, surface_matches: Callable[[str], bool]
) -> list[Document]:
    """Documents whose mentions of the entity `key` have a surface it accepts, by URI."""
    mentions = parts.store.mentions(entity_ids=[ids.entity_id(key)])
    chunk_ids = {m.chunk_id for m in mentions if surface_matches(m.surface)}
    doc_ids = {c.doc_id for c in parts.store.chunks(chunk_ids)} if chunk_ids else set()
    found = parts.store.documents(doc_ids) if doc_ids else []
    return sorted(found, key=lambda d: d.uri)


def entity_of(parts: Components, name: str) -> str:
    """The id of the entity that `name` is the name or a merged alias of.

    Raises:
        EntityNotFoundError: no entity has that name or alias.
    """
    key = normalise(name)
    exact = ids.entity_id(key)
    if key and parts.store.entities([exact]):
        return exact
    holders = sorted({m.entity_id for m in parts.store.mentions() if normalise(m.surface) == key})
    if not key or not holders:
        raise EntityNotFoundError(
            f"no entity is named {name!r}; `groundgraph entities list --match TEXT` finds names"
        )
    return holders[0]
