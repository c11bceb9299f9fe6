"""The daily refresh as assets: the write path's stages (`groundgraph.write_stages`), one per
asset, and the metadata analysts read.

source_changes (prepare, scan) → document_graphs (build) → knowledge_graph (write graph) →
vector_index (sync vectors) and communities (rebuild) → graph_statistics (publish the
failures, count) → published_store (with an evaluation gate, the run's staged copy becomes
the store; blocking checks that fail stop the run before it). Each asset calls one stage on
the `groundgraph` resource's parts, which hold the store's writer lock from the first stage to
the end of the run, exactly as one `groundgraph refresh` holds it. Daily partitions give every
run a date in the UI; re-running a partition is a refresh, so a backfill converges on the
current sources and processes only what changed.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import date

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    DailyPartitionsDefinition,
    MetadataValue,
    Output,
    asset,
)

import groundgraph.write_stages as stages
from groundgraph.assembly import Components
from groundgraph.community_reports import CommunityReport
from groundgraph.entity_curation import entity_log
from groundgraph.graph.ids import document_id
from groundgraph.graph.model import GraphStats
from groundgraph.graph.summary import most_connected, top_predicates
from groundgraph.ingest.changes import SourceChanges
from groundgraph.ingest.ingestor import WriteReport
from groundgraph.pipelines.reporting import (
    changes_table,
    communities_table,
    entity_types_table,
    failures_table,
    growth_chart,
    hubs_table,
    merges_table,
    predicates_table,
    stage_seconds_table,
)
from groundgraph.pipelines.resources import GroundGraphResource, SourceLocation
from groundgraph.pipelines.settings import PipelineSettings
from groundgraph.retrieval.indexes.store_vectors import VectorReport
from groundgraph.write_path import IngestReport
from groundgraph.write_stages import BuiltGraphs, FollowReport

REFRESH_GROUP = "refresh"
SOURCES_DIGEST = "sources_digest"
_GROWTH_RUNS = 30


def sources_digest(fingerprints: dict[str, str]) -> str:
    """One short hash of every source file's size and mtime: the sensor compares it with the
    last scan's to tell whether anything changed while it was not looking."""
    return hashlib.sha256(json.dumps(fingerprints, sort_keys=True).encode()).hexdigest()[:16]


def daily_partitions(settings: PipelineSettings, start: date) -> DailyPartitionsDefinition:
    """One partition per day from `start`, up to today, so the sensor and manual runs can use
    today's."""
    return DailyPartitionsDefinition(
        start_date=start.isoformat(), timezone=settings.timezone, end_offset=1
    )


def source_changes(
    context: AssetExecutionContext,
    groundgraph: GroundGraphResource,
    source_location: SourceLocation,
) -> Output[SourceChanges]:
    """Scan the sources (document files and RDF files) and compare them with the store by
    content hash: new, changed, unchanged and deleted documents, and every file that could
    not be read, with why."""
    parts = groundgraph.writer()
    stages.prepare(parts)
    sources = source_location.resolve(parts.store)
    digest = sources_digest(source_location.fingerprints(sources))
    changes = stages.scan(parts, sources)
    context.log.info(
        f"{len(changes.added)} new, {len(changes.updated)} changed, "
        f"{len(changes.deleted)} deleted, {len(changes.failed)} failed"
    )
    listed = [*sources.paths, *sources.rdf]
    return Output(
        changes,
        metadata={
            "sources": MetadataValue.md("\n".join(f"- `{p}`" for p in listed) or "none"),
            "added": len(changes.added),
            "updated": len(changes.updated),
            "unchanged": len(changes.unchanged),
            "deleted": len(changes.deleted),
            "failed": len(changes.failed),
            "changed_documents": changes_table(changes),
            "failed_files": failures_table(changes.failed),
            SOURCES_DIGEST: digest,
            "seconds": round(changes.seconds, 3),
        },
    )


def document_graphs(
    context: AssetExecutionContext,
    groundgraph: GroundGraphResource,
    source_changes: SourceChanges,
) -> Output[BuiltGraphs]:
    """Parse, chunk and extract entities and relations from the new and changed documents
    only (spaCy, no LLM); RDF documents arrive built."""
    built = stages.build(groundgraph.writer(), source_changes)
    context.log.info(f"built {len(built.graphs)} documents, {len(built.failed)} failed")
    return Output(
        built,
        metadata={
            "documents": len(built.graphs),
            "chunks": sum(len(g.chunks) for g in built.graphs),
            "mentions": sum(len(g.mentions) for g in built.graphs),
            "relation_evidence": sum(len(g.evidence) for g in built.graphs),
            "failed": len(built.failed),
            "failed_documents": failures_table(built.failed),
            "seconds": round(built.seconds, 3),
        },
    )


def knowledge_graph(
    context: AssetExecutionContext,
    groundgraph: GroundGraphResource,
    source_changes: SourceChanges,
    document_graphs: BuiltGraphs,
) -> Output[WriteReport]:
    """Upsert the changed documents' graphs and delete the gone documents, a batch per
    transaction; entities and relations only those documents supported go with them; then
    the sentence layer of any chunk written without one."""
    parts = groundgraph.writer()
    report = stages.write_graph(parts, source_changes, document_graphs)
    layer = stages.write_sentence_layer(parts)
    written = [document_id(uri) for uri in [*report.added, *report.updated]]
    merges = entity_log(parts, written).merges
    context.log.info(
        f"graph write: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.deleted)} deleted"
    )
    return Output(
        report,
        metadata={
            "added": len(report.added),
            "updated": len(report.updated),
            "deleted": len(report.deleted),
            "failed": len(report.failed),
            "failed_files": failures_table(report.failed),
            # What the checks read by default (pipelines/checks.py).
            "written_uris": MetadataValue.json([*report.added, *report.updated]),
            "entities_before": report.entities_before,
            "entities_after": report.entities_after,
            "entity_merges": len(merges),
            "merge_log": merges_table(merges),
            "sentence_layer_filled": layer.chunks,
            "seconds": round(report.write_seconds + layer.seconds, 3),
        },
    )


def vector_index(
    groundgraph: GroundGraphResource, knowledge_graph: WriteReport
) -> Output[VectorReport]:
    """Embed chunks and entity names the index lacks, drop those the graph lost, and publish
    both indexes atomically (a crash leaves the previous ones whole)."""
    report = stages.sync_vectors(groundgraph.writer())
    return Output(
        report,
        metadata={
            "chunks_added": report.chunks_added,
            "chunks_removed": report.chunks_removed,
            "entities_added": report.entities_added,
            "entities_removed": report.entities_removed,
            "seconds": round(report.chunk_seconds + report.entity_seconds, 3),
        },
    )


def communities(
    groundgraph: GroundGraphResource, knowledge_graph: WriteReport
) -> Output[CommunityReport]:
    """Leiden communities of the entity graph with their reports (what global questions are
    answered from), rebuilt when the graph changed since they were computed."""
    report = stages.rebuild_communities(groundgraph.writer())
    found = report.found
    return Output(
        report,
        metadata={
            "communities": len(found.communities),
            "graph_version": found.graph_version,
            "rebuilt": report.rebuilt,
            "largest": communities_table(found.communities[:10]),
            "seconds": round(report.seconds, 3),
        },
    )


def graph_statistics(
    context: AssetExecutionContext,
    groundgraph: GroundGraphResource,
    source_changes: SourceChanges,
    knowledge_graph: WriteReport,
    vector_index: VectorReport,
    communities: CommunityReport,
) -> Output[dict]:
    """Record the run's failures in the store (what `groundgraph refresh` records), then the
    counts after the run, the biggest entity types, the most connected entities, the time
    per stage, and how the graph grew over the last runs."""
    parts = groundgraph.writer()
    known = stages.publish_failures(parts, source_changes, knowledge_graph)
    follow = FollowReport(vector_index, communities)
    run = IngestReport(source_changes, knowledge_graph, follow, known)
    graph = parts.store.stats()
    points = [*_previous_growth(context), (context.partition_key, graph.entities, graph.relations)]
    return Output(
        {"documents": graph.documents, "chunks": graph.chunks, "entities": graph.entities},
        metadata={
            "documents": graph.documents,
            "chunks": graph.chunks,
            "entities": graph.entities,
            "relations": graph.relations,
            "mentions": graph.mentions,
            "documents_changed": run.changed,
            "new_failures": len(run.new_failures),
            "run_report": MetadataValue.json(run.to_dict()),
            "graph_growth": MetadataValue.md(growth_chart(points)),
            **_graph_tables(parts, graph, run),
        },
    )


def published_store(groundgraph: GroundGraphResource, graph_statistics: dict) -> Output[dict]:
    """The refresh reaches readers: with an evaluation gate (`pipelines.eval_file`) the run
    wrote a staged copy of the store, which becomes the store here, after every blocking
    check passed (a failed one skips this asset, and readers keep the previous version);
    without one, or on Neo4j, the run wrote the store in place."""
    version = groundgraph.publish()
    published = {"published": version is not None, "store_version": version or -1}
    return Output(
        published,
        metadata={
            **published,
            "how": "staged copy published" if version is not None else "written in place",
        },
    )


def _graph_tables(
    parts: Components, graph: GraphStats, run: IngestReport
) -> dict[str, int | MetadataValue]:
    return {
        "chunk_vectors": parts.vectors.published().chunk_vectors,
        "top_entity_types": entity_types_table(graph.entity_types),
        "most_connected_entities": hubs_table(most_connected(parts.store, 10)),
        "top_predicates": predicates_table(top_predicates(parts.store)),
        "stage_seconds": stage_seconds_table(run.stage_seconds()),
    }


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


# Each stage's asset and what it shows as its kind in the UI (None: the store's backend).
_STAGE_ASSETS: tuple[tuple[Callable[..., Output], str | None], ...] = (
    (source_changes, "python"),
    (document_graphs, "spacy"),
    (knowledge_graph, None),
    (vector_index, "faiss"),
    (communities, "python"),
    (graph_statistics, "python"),
    (published_store, "python"),
)


def refresh_assets(settings: PipelineSettings, start: date, backend: str) -> list[AssetsDefinition]:
    """The refresh's assets, partitioned by day from `start`; the graph asset shows the
    configured backend as its kind."""
    partitions = daily_partitions(settings, start)
    return [
        asset(group_name=REFRESH_GROUP, partitions_def=partitions, kinds={kind or backend})(stage)
        for stage, kind in _STAGE_ASSETS
    ]
