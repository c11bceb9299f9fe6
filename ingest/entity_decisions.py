"""A person's decisions about entity identity, kept beside the store and applied to every
later build.

Resolution merges names by rules (a shorter name into the longer one that contains it, an
acronym into the name it spells; `resolution.py`) and across documents by normalised name.
A rule is sometimes wrong, and some names that mean one thing share no words ("J. Smith",
"Jane Smith"). A person's `merge` makes one name another's alias; a `split` keeps a name
apart from the one a rule merged it into. Decisions live in `entity_decisions.json`, not in
the graph, because the graph is rebuilt from the documents: a decision kept in it would be
lost with the next rebuild of the document that carried it.

For one pair of names the latest decision counts, so a merge undone by a split (or a split
undone by a merge) leaves no trace in the rules but stays in the log.
"""

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Literal

from groundgraph.graph import ids
from groundgraph.graph.derive import merge_mentions
from groundgraph.graph.errors import UsageError
from groundgraph.graph.model import DocumentGraph, Evidence
from groundgraph.ingest.base import IngestError
from groundgraph.ingest.graph_builder import relation_ends
from groundgraph.ingest.resolution import display_name, normalise

DECISIONS_FILE = "entity_decisions.json"
PERSON_MERGE = "a person's merge"  # the rule the merge log shows for a person's merge

DecisionKind = Literal["merge", "split"]


class EntityDecisionError(UsageError):
    """A merge or split that cannot be recorded: the message says why and what to do."""


@dataclass(frozen=True)
class EntityDecision:
    """One person's decision about two names.

    Attributes:
        kind: `merge` (`name` is an alias of `into`) or `split` (`name` is its own entity,
            never merged into `into`).
        name, into: the names as the person gave them.
        decided_at: UTC time of the decision, ISO 8601.
        note: why, in the person's words.
    """

    kind: DecisionKind
    name: str
    into: str
    decided_at: str
    note: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return normalise(self.name), normalise(self.into)


@dataclass(frozen=True)
class ResolutionRules:
    """What the decisions in force mean to the builder (small and picklable: it travels to
    the parsing processes).

    Attributes:
        kept_apart: (name key, key it must not merge into) pairs from splits.
        merged: name key → (key it merges into, that entity's display name), chains followed.
    """

    kept_apart: frozenset[tuple[str, str]] = frozenset()
    merged: dict[str, tuple[str, str]] = field(default_factory=dict)

    @cached_property
    def merged_ids(self) -> dict[str, tuple[str, str]]:
        """Entity id → (id it merges into, display name), computed once per build."""
        return {
            ids.entity_id(key): (ids.entity_id(target), name)
            for key, (target, name) in self.merged.items()
        }


def rules_of(decisions: Iterable[EntityDecision]) -> ResolutionRules:
    """The rules the latest decision for each pair of names makes."""
    latest: dict[tuple[str, str], EntityDecision] = {}
    for decision in decisions:
        latest[decision.pair] = decision
    kept_apart = frozenset(p for p, d in latest.items() if d.kind == "split")
    direct = {p[0]: (p[1], display_name(d.into)) for p, d in latest.items() if d.kind == "merge"}
    merged = {}
    for key in direct:
        target, name, seen = key, "", {key}
        while target in direct and direct[target][0] not in seen:
            target, name = direct[target]
            seen.add(target)
        merged[key] = (target, name)
    return ResolutionRules(kept_apart, merged)


def apply_merges(graph: DocumentGraph, rules: ResolutionRules) -> DocumentGraph:
    """The graph with every mention and relation end of a merged name moved to the entity
    it merges into (its relation ids follow; a relation that becomes a loop is dropped)."""
    moved = rules.merged_ids
    if not moved or not any(m.entity_id in moved for m in graph.mentions):
        return graph

    def target(entity_id: str) -> str:
        return moved[entity_id][0] if entity_id in moved else entity_id

    mentions = merge_mentions(
        replace(
            m,
            entity_id=moved[m.entity_id][0],
            name=moved[m.entity_id][1],
            merged_by=PERSON_MERGE,
        )
        if m.entity_id in moved
        else m
        for m in graph.mentions
    )
    evidence: list[Evidence] = []
    for e in graph.evidence:
        ends = relation_ends(target(e.source_id), e.predicate, target(e.target_id))
        if ends is not None:
            rid, src, dst = ends
            evidence.append(replace(e, relation_id=rid, source_id=src, target_id=dst))
    return replace(graph, mentions=tuple(mentions), evidence=tuple(evidence))


class EntityDecisionLog:
    """`entity_decisions.json` in a store directory: every decision, oldest first."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / DECISIONS_FILE

    def read(self) -> list[EntityDecision]:
        """Every decision recorded.

        Raises:
            IngestError: the file is damaged (it is never guessed at: a lost decision
                would silently undo a person's work).
        """
        if not self.path.exists():
            return []
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            return [EntityDecision(**row) for row in rows]
        except (OSError, ValueError, TypeError) as e:
            raise IngestError(
                f"{self.path} cannot be read ({e}); restore it from a backup or remove it to "
                "drop every merge and split decision"
            ) from e

    def rules(self) -> ResolutionRules:
        return rules_of(self.read())

    def record(self, kind: DecisionKind, name: str, into: str, note: str = "") -> EntityDecision:
        """Add a decision, atomically (call under the store's writer lock).

        Raises:
            EntityDecisionError: a name is empty, the two names are one name, or the merge
                would make a name an alias of itself.
        """
        key, target = normalise(name), normalise(into)
        if not key or not target:
            raise EntityDecisionError(f"an entity name is empty: {name!r}, {into!r}")
        if key == target:
            raise EntityDecisionError(
                f"{name!r} and {into!r} are one name (names that differ only in case, "
                "punctuation or an article are always one entity)"
            )
        decisions = self.read()
        if kind == "merge" and rules_of(decisions).merged.get(target, ("",))[0] == key:
            raise EntityDecisionError(
                f"{into!r} is already merged into {name!r}; split it first to reverse the merge"
            )
        now = datetime.now(UTC).isoformat(timespec="seconds")
        decision = EntityDecision(kind, display_name(name), display_name(into), now, note)
        rows = [asdict(d) for d in [*decisions, decision]]
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(self.path)
        return decision
