"""A person's merge and split decisions: kept whole, the latest for a pair counting, and
applied to a built document graph."""

from pathlib import Path

import pytest

from groundgraph.graph import ids
from groundgraph.graph.errors import GroundGraphError, UsageError
from groundgraph.graph.model import Chunk, Document, DocumentGraph, Evidence, Mention
from groundgraph.ingest.base import CO_OCCURRENCE
from groundgraph.ingest.entity_decisions import (
    PERSON_MERGE,
    EntityDecision,
    EntityDecisionLog,
    ResolutionRules,
    apply_merges,
    rules_of,
)


def decision(kind: str, name: str, into: str) -> EntityDecision:
    return EntityDecision(kind, name, into, "2026-12-07T00:00:00+00:00")  # type: ignore[arg-type]


def test_the_latest_decision_for_a_pair_counts_and_merges_follow_chains() -> None:
    rules = rules_of(
        [
            decision("merge", "J. Smith", "Jane Smith"),
            decision("merge", "Jane Smith", "Jane Smith-Okafor"),
            decision("split", "Baker", "Tom Baker"),
            decision("merge", "Baker", "Tom Baker"),
            decision("merge", "Acme", "Acme Robotics"),
            decision("split", "Acme", "Acme Robotics"),
        ]
    )
    assert rules.merged == {
        "j smith": ("jane smith okafor", "Jane Smith-Okafor"),
        "jane smith": ("jane smith okafor", "Jane Smith-Okafor"),
        "baker": ("tom baker", "Tom Baker"),
    }
    assert rules.kept_apart == {("acme", "acme robotics")}


def test_the_log_refuses_one_name_and_a_reversed_merge(tmp_path: Path) -> None:
    log = EntityDecisionLog(tmp_path)
    with pytest.raises(UsageError, match="are one name"):
        log.record("merge", "The Acme", "acme")
    log.record("merge", "J. Smith", "Jane Smith", note="same person")
    with pytest.raises(UsageError, match="split it first"):
        log.record("merge", "Jane Smith", "J. Smith")
    [kept] = EntityDecisionLog(tmp_path).read()
    assert (kept.kind, kept.name, kept.into, kept.note) == (
        "merge",
        "J. Smith",
        "Jane Smith",
        "same person",
    )


def test_a_damaged_log_is_an_error_not_an_empty_one(tmp_path: Path) -> None:
    log = EntityDecisionLog(tmp_path)
    log.path.write_text("[{]", encoding="utf-8")
    with pytest.raises(GroundGraphError, match=r"entity_decisions\.json cannot be read"):
        log.rules()


def test_a_merge_moves_mentions_and_relation_ends_and_drops_the_loop_it_makes() -> None:
    j, jane, oslo = (ids.entity_id(k) for k in ("j smith", "jane smith", "oslo"))
    document = Document(ids.document_id("file:///m.md"), "file:///m.md", "M", "/m", "h")
    chunk = Chunk("c1", document.id, 0, "J. Smith met Jane Smith in Oslo.", 0, 32, "t")
    graph = DocumentGraph(
        document,
        (chunk,),
        (
            Mention("c1", j, "J. Smith", "J. Smith", "PERSON"),
            Mention("c1", jane, "Jane Smith", "Jane Smith", "PERSON"),
            Mention("c1", oslo, "Oslo", "Oslo", "GPE"),
        ),
        (
            Evidence(ids.relation_id(j, "meet", jane), j, jane, "meet", "c1", 1.0),
            Evidence(ids.relation_id(j, "in", oslo), j, oslo, "in", "c1", 1.0),
            Evidence(ids.relation_id(oslo, CO_OCCURRENCE, j), oslo, j, CO_OCCURRENCE, "c1", 1.0),
        ),
    )
    merged = apply_merges(graph, rules_of([decision("merge", "J. Smith", "Jane Smith")]))
    assert [(m.entity_id, m.surface, m.name, m.merged_by) for m in merged.mentions] == [
        (jane, "J. Smith", "Jane Smith", PERSON_MERGE),
        (jane, "Jane Smith", "Jane Smith", ""),
        (oslo, "Oslo", "Oslo", ""),
    ]
    ends = sorted((e.source_id, e.predicate, e.target_id) for e in merged.evidence)
    co = tuple(sorted((oslo, jane)))
    assert ends == sorted([(jane, "in", oslo), (co[0], CO_OCCURRENCE, co[1])])
    assert all(
        e.relation_id == ids.relation_id(e.source_id, e.predicate, e.target_id)
        for e in merged.evidence
    )
    assert apply_merges(graph, ResolutionRules()) is graph
