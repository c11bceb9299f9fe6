"""Asset checks on the daily refresh: each reads the state a run left and can fail.

- `vectors_match_chunks`: every chunk has exactly one vector and every vector a chunk.
- `graph_references_resolve`: no mention or relation points at a missing node.
- `entity_count_stable`: one run did not lose more than `max_entity_drop` of the entities.
- `canary_recall`: the canary questions still retrieve their documents; defined only when a
  canary set is configured, or required (`require_canary`), when its absence fails it.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetsDefinition,
    MetadataValue,
    asset_check,
)

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

    @asset_check(asset=knowledge_graph)
    def entity_count_stable(context: AssetCheckExecutionContext) -> AssetCheckResult:
        """The last graph write did not lose more than the allowed fraction of entities: a
        truncated or wrong source, not an ordinary edit."""
        event = context.instance.get_latest_materialization_event(knowledge_graph.key)
        meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
        before = int(meta["entities_before"].value) if "entities_before" in meta else 0
        after = int(meta["entities_after"].value) if "entities_after" in meta else 0
        drop = (before - after) / before if before else 0.0
        return AssetCheckResult(
            passed=drop <= settings.max_entity_drop,
            severity=AssetCheckSeverity.ERROR,
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

    checks = [vectors_match_chunks, graph_references_resolve, entity_count_stable]
    if settings.canary_file is not None or settings.require_canary:
        checks.append(canary_recall_check)
    return checks


def _scope(written: list[str] | None) -> str:
    return "whole store" if written is None else f"{len(written)} written documents"
