"""Asset checks on the daily refresh: each reads the state a run left and can fail.

- `vectors_match_chunks`: every chunk has exactly one vector and every vector a chunk.
- `graph_references_resolve`: no mention or relation points at a missing node.
- `entity_count_stable`: one run did not lose more than `max_entity_drop` of the entities,
  and did not leave a graph that held documents empty.
- `answer_quality`: the questions of `eval_file` are still answered as well as the bars say;
  defined only when an evaluation file is configured.
- `canary_recall`: the canary questions still retrieve their documents; defined only when a
  canary set is configured, or required (`require_canary`), when its absence fails it.
"""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetsDefinition,
    MetadataValue,
    asset_check,
)

from groundgraph.assembly import Components
from groundgraph.evaluation import EvalReport, compare, evaluate_file, load_previous, save
from groundgraph.graph.errors import UsageError
from groundgraph.graph.ids import document_id
from groundgraph.graph.integrity import check_integrity
from groundgraph.pipelines.resources import GroundGraphResource
from groundgraph.pipelines.settings import PipelineSettings
from groundgraph.retrieval.retrievers.canary import canary_recall, load_canaries


def refresh_checks(
    settings: PipelineSettings, knowledge_graph: AssetsDefinition, vector_index: AssetsDefinition
) -> list[AssetChecksDefinition]:
    def written(context: AssetCheckExecutionContext) -> list[str] | None:
        """Ids of the documents the last graph write stored, or None for a full check."""
        if settings.full_checks:
            return None
        event = context.instance.get_latest_materialization_event(knowledge_graph.key)
        meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
        if "written_uris" not in meta:
            return None
        return [document_id(uri) for uri in meta["written_uris"].value]

    @asset_check(asset=vector_index, blocking=True)
    def vectors_match_chunks(
        context: AssetCheckExecutionContext, groundgraph: GroundGraphResource
    ) -> AssetCheckResult:
        """Every chunk in the graph has exactly one vector in the published chunk index, and
        every vector belongs to a chunk (by default: the written documents' chunks by id,
        the rest by count)."""
        parts = groundgraph.parts
        scope = written(context)
        found = parts.vectors.consistency(parts.store, scope)
        return AssetCheckResult(
            passed=found.ok,
            metadata={
                "scope": _scope(scope),
                "chunks": found.chunks,
                "vectors": found.vectors,
                "chunks_without_vector": found.chunks_without_vector,
                "vectors_without_chunk": found.vectors_without_chunk,
                "duplicate_vectors": found.duplicate_vectors,
            },
            description=None if found.ok else "run the refresh again to re-sync the index",
        )

    @asset_check(asset=knowledge_graph, blocking=True)
    def graph_references_resolve(
        context: AssetCheckExecutionContext, groundgraph: GroundGraphResource
    ) -> AssetCheckResult:
        """No mention points at a missing chunk or entity; no relation at a missing entity
        or evidence chunk (by default: the references the last write added)."""
        scope = written(context)
        report = check_integrity(groundgraph.parts.store, doc_ids=scope)
        return AssetCheckResult(
            passed=report.ok,
            metadata={
                "scope": _scope(scope),
                "mentions_without_chunk": report.mentions_without_chunk,
                "mentions_without_entity": report.mentions_without_entity,
                "relations_without_entity": report.relations_without_entity,
                "relations_without_evidence": report.relations_without_evidence,
                "examples": MetadataValue.md("\n".join(f"- {e}" for e in report.examples) or "-"),
            },
        )

    @asset_check(asset=knowledge_graph, blocking=True)
    def entity_count_stable(context: AssetCheckExecutionContext) -> AssetCheckResult:
        """The last graph write did not lose more than the allowed fraction of entities: a
        truncated or wrong source, not an ordinary edit."""
        event = context.instance.get_latest_materialization_event(knowledge_graph.key)
        meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
        before = int(meta["entities_before"].value) if "entities_before" in meta else 0
        after = int(meta["entities_after"].value) if "entities_after" in meta else 0
        drop = (before - after) / before if before else 0.0
        emptied = before > 0 and after == 0
        return AssetCheckResult(
            passed=drop <= settings.max_entity_drop and not emptied,
            severity=AssetCheckSeverity.ERROR,
            description="the refresh left the graph empty: check the sources" if emptied else None,
            metadata={
                "entities_before": before,
                "entities_after": after,
                "drop_fraction": round(drop, 4),
                "max_drop_fraction": settings.max_entity_drop,
            },
        )

    @asset_check(asset=vector_index, name="canary_recall")
    def canary_recall_check(groundgraph: GroundGraphResource) -> AssetCheckResult:
        """The canary questions retrieve their expected documents with at least the
        configured recall."""
        if settings.canary_file is None:
            return AssetCheckResult(
                passed=False,
                description="not configured: this deployment requires a canary set "
                "(require_canary); set GROUNDGRAPH_PIPELINE_CANARY_FILE",
            )
        canaries = load_canaries(settings.canary_file)
        result = canary_recall(groundgraph.parts.retriever, canaries, settings.canary_k)
        return AssetCheckResult(
            passed=result.recall >= settings.canary_min_recall,
            metadata={
                "recall": round(result.recall, 4),
                "min_recall": settings.canary_min_recall,
                "questions": result.questions,
                "missed": MetadataValue.md("\n".join(f"- {q}" for q in result.misses) or "-"),
            },
        )

    @asset_check(asset=vector_index, name="answer_quality", blocking=True)
    def answer_quality_check(groundgraph: GroundGraphResource) -> AssetCheckResult:
        """The evaluation file's questions are answered at least as well as the configured
        bars; the metadata holds the totals (plotted across runs) and what changed since the
        last evaluation kept."""
        return answer_quality(groundgraph.parts, settings, groundgraph.live.directory)

    checks = [vectors_match_chunks, graph_references_resolve, entity_count_stable]
    if settings.canary_file is not None or settings.require_canary:
        checks.append(canary_recall_check)
    if settings.eval_file is not None:
        checks.append(answer_quality_check)
    return checks


def answer_quality(
    parts: Components, settings: PipelineSettings, history: Path
) -> AssetCheckResult:
    """`groundgraph eval` on the configured file, as a check result: the totals as numbers
    (Dagster plots them across runs), a table by question type, and the questions whose
    verdict changed since the last evaluation kept under the store directory `history`
    (the store's, not the staged copy's, so a failed run's evaluation is kept too)."""
    assert settings.eval_file is not None
    report = evaluate_file(parts, settings.eval_file, keep=False)
    save(report, history)
    misses = report.below(
        settings.eval_min_correct, settings.eval_max_grounded_wrong, settings.eval_min_recall
    )
    overall = report.totals()["all"]
    try:
        earlier = load_previous(history, str(settings.eval_file), "last", report.store_version)
        changed = [
            f"- {c.question!r}: {c.before} → {c.after}" for c in compare(earlier, report).changes
        ]
    except UsageError:
        changed = ["- (no earlier evaluation kept)"]
    return AssetCheckResult(
        passed=not misses and not report.errors,
        metadata={
            "correct": overall.correct,
            "grounded_wrong": overall.grounded_wrong,
            "recall": overall.recall if overall.recall is not None else -1.0,
            "questions": overall.questions,
            "store_version": report.store_version,
            "by_type": MetadataValue.md(_totals_table(report)),
            "changed": MetadataValue.md("\n".join(changed) or "- nothing changed"),
            "below": MetadataValue.md("\n".join(f"- {m}" for m in misses) or "-"),
        },
        description="; ".join(misses + [str(e) for e in report.errors]) or None,
    )


def _totals_table(report: EvalReport) -> str:
    rows = [
        "| type | n | correct | grounded wrong | recall |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, t in report.totals().items():
        rows.append(f"| {name} | {t.questions} | {t.correct} | {t.grounded_wrong} | {t.recall} |")
    return "\n".join(rows)


def _scope(written: list[str] | None) -> str:
    return "whole store" if written is None else f"{len(written)} written documents"
