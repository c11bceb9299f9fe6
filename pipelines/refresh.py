"""The daily refresh as assets: sources → changes → document graphs → graph → vectors,
communities → stats.

Each asset is one library call (`scan`/`diff`, `Ingestor.build`, `Ingestor.write`,
`VectorIndexes.sync`, `GroundGraph.stats`) plus the metadata analysts read. Daily
partitions give every run a date in the UI; re-running a partition is a refresh, so a
backfill converges on the current sources and processes only what changed.
"""

import time
from dataclasses import dataclass, field

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    DailyPartitionsDefinition,
    MetadataValue,
    Output,
    asset,
)

from groundgraph.facade import GroundGraph
from groundgraph.graph.model import DocumentGraph
from groundgraph.graph.summary import most_connected
from groundgraph.ingest.base import FileError, IngestReport
from groundgraph.ingest.pipeline import Diff, Ingestor, diff, scan
from groundgraph.pipelines.reporting import (
    communities_table,
    entity_types_table,
    failures_table,
    growth_chart,
    hubs_table,
    stage_seconds_table,
)
from groundgraph.pipelines.resources import (
    GraphStoreResource,
    SourceLocation,
    VectorIndexResource,
)
from groundgraph.pipelines.settings import PipelineSettings
from groundgraph.retrieval.vectors import VectorReport

REFRESH_GROUP = "refresh"
_GROWTH_RUNS = 30


@dataclass
class SourceChanges:
    """What a scan found changed since the stored state, and the files it could not use."""

    diff: Diff
    failed: list[FileError]
    seconds: float


@dataclass
class ExtractedDocuments:
    """Document graphs built from the changed documents, and those whose extraction failed."""

    graphs: list[DocumentGraph]
    failed: list[FileError]
    seconds: float


@dataclass
class GraphWrite:
    """What the graph stage wrote, with the entity count on each side of it."""

    report: IngestReport
    entities_before: int
    entities_after: int
    seconds: dict[str, float] = field(default_factory=dict)


def daily_partitions(settings: PipelineSettings) -> DailyPartitionsDefinition:
    """One partition per day, up to today, so the sensor and manual runs can use today's."""
    return DailyPartitionsDefinition(
        start_date=settings.start_date.isoformat(), timezone=settings.timezone, end_offset=1
    )


def refresh_assets(settings: PipelineSettings) -> list[AssetsDefinition]:
    partitions = daily_partitions(settings)

    @asset(group_name=REFRESH_GROUP, partitions_def=partitions, kinds={"python"})
    def source_changes(
        context: AssetExecutionContext,
        graph_store: GraphStoreResource,
        source_location: SourceLocation,
    ) -> Output[SourceChanges]:
        """Scan the sources and compare them with the store by content hash: new, changed,
        unchanged and deleted documents, and every file that could not be read, with why."""
        began = time.perf_counter()
        ingest = graph_store.settings().ingest
        with graph_store.open() as store:
            paths = source_location.resolve(store)
            found = scan(paths, ingest)
            changes = diff(store, found, [str(p.resolve()) for p in paths])
        seconds = time.perf_counter() - began
        context.log.info(
            f"{len(changes.added)} new, {len(changes.updated)} changed, "
            f"{len(changes.deleted)} deleted, {len(found.failed)} failed in {len(paths)} sources"
        )
        return Output(
            SourceChanges(changes, found.failed, seconds),
            metadata={
                "sources": MetadataValue.md("\n".join(f"- `{p}`" for p in paths) or "none"),
                "added": len(changes.added),
                "updated": len(changes.updated),
                "unchanged": len(changes.unchanged),
                "deleted": len(changes.deleted),
                "failed": len(found.failed),
                "failed_files": MetadataValue.md(failures_table(found.failed)),
                "seconds": round(seconds, 3),
            },
        )

    @asset(group_name=REFRESH_GROUP, partitions_def=partitions, kinds={"spacy"})
    def document_graphs(
        context: AssetExecutionContext,
        graph_store: GraphStoreResource,
        source_changes: SourceChanges,
    ) -> Output[ExtractedDocuments]:
        """Parse, chunk and extract entities and relations from the new and changed
        documents only (spaCy, no LLM)."""
        began = time.perf_counter()
        settings = graph_store.settings()
        todo = source_changes.diff.changed
        with graph_store.open() as store:
            ingestor = Ingestor(settings.ingest, store, batch_size=settings.graph.batch_size)
            items = []
            for done, item in enumerate(ingestor.build(todo), start=1):
                items.append(item)
                if done % 50 == 0 or done == len(todo):
                    context.log.info(f"extracted {done}/{len(todo)} documents")
        graphs = [g for g in items if isinstance(g, DocumentGraph)]
        failed = [f for f in items if isinstance(f, FileError)]
        seconds = time.perf_counter() - began
        return Output(
            ExtractedDocuments(graphs, failed, seconds),
            metadata={
                "documents": len(graphs),
                "chunks": sum(len(g.chunks) for g in graphs),
                "mentions": sum(len(g.mentions) for g in graphs),
                "relation_evidence": sum(len(g.evidence) for g in graphs),
                "failed": len(failed),
                "failed_documents": MetadataValue.md(failures_table(failed)),
                "seconds": round(seconds, 3),
            },
        )

    @asset(group_name=REFRESH_GROUP, partitions_def=partitions, kinds={"sqlite", "neo4j"})
    def knowledge_graph(
        context: AssetExecutionContext,
        graph_store: GraphStoreResource,
        source_changes: SourceChanges,
        document_graphs: ExtractedDocuments,
    ) -> Output[GraphWrite]:
        """Upsert the changed documents' graphs and delete the gone documents, a batch per
        transaction; entities and relations only those documents supported go with them."""
        settings = graph_store.settings()
        changes = source_changes.diff
        report = IngestReport(
            failed=list(source_changes.failed), unchanged=[d.uri for d in changes.unchanged]
        )
        report.seconds["read"] = source_changes.seconds
        report.seconds["extract"] = document_graphs.seconds
        with graph_store.open() as store:
            before = store.stats().entities
            ingestor = Ingestor(settings.ingest, store, batch_size=settings.graph.batch_size)
            ingestor.write([*document_graphs.graphs, *document_graphs.failed], changes, report)
            after = store.stats().entities
        context.log.info(f"graph write: {report.summary()}")
        return Output(
            GraphWrite(report, before, after, dict(report.seconds)),
            metadata={
                **report.summary(),
                "failed_files": MetadataValue.md(failures_table(report.failed)),
                "entities_before": before,
                "entities_after": after,
                "seconds": round(report.seconds["write"], 3),
            },
        )

    @asset(group_name=REFRESH_GROUP, partitions_def=partitions, kinds={"faiss"})
    def vector_index(
        graph_store: GraphStoreResource,
        vector_store: VectorIndexResource,
        knowledge_graph: GraphWrite,
    ) -> Output[VectorReport]:
        """Embed chunks and entity names the index lacks, drop those the graph lost, and
        publish both indexes atomically (a crash leaves the previous ones whole)."""
        settings = graph_store.settings()
        with graph_store.open() as store:
            report = vector_store.open(settings).sync(store)
        return Output(
            report,
            metadata={
                "chunks_added": report.chunks_added,
                "chunks_removed": report.chunks_removed,
                "entities_added": report.entities_added,
                "entities_removed": report.entities_removed,
                "seconds": round(sum(report.seconds.values()), 3),
            },
        )

    @asset(group_name=REFRESH_GROUP, partitions_def=partitions, kinds={"python"})
    def graph_statistics(
        context: AssetExecutionContext,
        graph_store: GraphStoreResource,
        knowledge_graph: GraphWrite,
        vector_index: VectorReport,
    ) -> Output[dict]:
        """Counts after the run, the biggest entity types, the most connected entities,
        the time per stage, and how the graph grew over the last runs."""
        with graph_store.open() as store:
            stats = GroundGraph(graph_store.settings(), store=store).stats()
            hubs = most_connected(store, 10)
        graph = stats.graph
        seconds = {**knowledge_graph.seconds, **vector_index.seconds}
        label = context.partition_key
        points = [*_previous_growth(context), (label, graph.entities, graph.relations)]
        return Output(
            stats.to_dict(),
            metadata={
                "documents": graph.documents,
                "chunks": graph.chunks,
                "entities": graph.entities,
                "relations": graph.relations,
                "mentions": graph.mentions,
                "chunk_vectors": stats.chunk_vectors,
                "documents_changed": knowledge_graph.report.changed,
                "top_entity_types": MetadataValue.md(entity_types_table(graph.entity_types)),
                "most_connected_entities": MetadataValue.md(hubs_table(hubs)),
                "stage_seconds": MetadataValue.md(stage_seconds_table(seconds)),
                "graph_growth": MetadataValue.md(growth_chart(points)),
            },
        )

    @asset(group_name=REFRESH_GROUP, partitions_def=partitions, kinds={"python"})
    def communities(graph_store: GraphStoreResource, knowledge_graph: GraphWrite) -> Output[int]:
        """Leiden communities of the entity graph with their reports (what global questions
        are answered from), rebuilt when the graph changed since they were computed."""
        began = time.perf_counter()
        with graph_store.open() as store:
            found = GroundGraph(graph_store.settings(), store=store).communities()
        return Output(
            len(found.communities),
            metadata={
                "communities": len(found.communities),
                "graph_version": found.graph_version,
                "largest": MetadataValue.md(communities_table(found.communities[:10])),
                "seconds": round(time.perf_counter() - began, 3),
            },
        )

    return [
        source_changes,
        document_graphs,
        knowledge_graph,
        vector_index,
        communities,
        graph_statistics,
    ]


def _previous_growth(context: AssetExecutionContext) -> list[tuple[str, int, int]]:
    """Entities and relations recorded by earlier materialisations, oldest first."""
    records = context.instance.fetch_materializations(
        context.asset_key, limit=_GROWTH_RUNS - 1
    ).records
    points = []
    for record in reversed(records):
        materialization = record.asset_materialization
        if materialization is None:
            continue
        meta = materialization.metadata
        if "entities" in meta and "relations" in meta:
            label = materialization.partition or str(record.run_id)[:8]
            points.append((label, int(meta["entities"].value), int(meta["relations"].value)))
    return points
