"""The write path's stages, each callable on its own: prepare → scan → build → write graph →
sync vectors → communities → publish.

A stage takes what the stage before it returned and returns its own report, so a run can stop
after any of them and go on later from the stored result (a Dagster asset re-materialised).
Every stage holds the store's writer lock while it runs; the lock is re-entrant in its thread
(`graph/lock.py`), so a caller that holds it around several stages, as `write_path` does for a
CLI or API write and the Dagster resource does for a whole run, takes it once. `write_path`
composes these stages for the CLI, the facade and the server; `pipelines/refresh.py` runs the
same functions one per asset and adds only the metadata analysts read.

Chunks get their sentence layer (their parse, for answering) where they are built; the
sentence-layer stage after the graph write fills in what a write left without one (an RDF
import, a store written before the layer existed), so every write upgrades a store in place.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from groundgraph.assembly import Components
from groundgraph.community_reports import CommunityReport
from groundgraph.graph.model import DocumentGraph
from groundgraph.graph.progress import Progress, StopCheck, never, no_progress
from groundgraph.ingest.base import FileError
from groundgraph.ingest.changes import SourceChanges, Sources
from groundgraph.ingest.ingestor import WriteReport
from groundgraph.ingest.sentence_layer import layer_model, parse_chunks
from groundgraph.retrieval.indexes.store_vectors import VectorReport


@dataclass(frozen=True)
class BuiltGraphs:
    """The build stage's result kept whole (a Dagster run stores it between assets): the
    document graphs of the new and changed documents, and those that failed to build."""

    graphs: list[DocumentGraph]
    failed: list[FileError]
    seconds: float

    def items(self) -> list[DocumentGraph | FileError]:
        return [*self.graphs, *self.failed]


@dataclass(frozen=True)
class FollowReport:
    """What the derived data did after a graph write: vectors, then communities."""

    vectors: VectorReport
    communities: CommunityReport


def prepare(parts: Components) -> None:
    """Fail before anything is written when the answer model that summarises the communities
    at the end of the run is misconfigured (a missing key, an unreachable server)."""
    parts.summary_chat()


def scan(
    parts: Components, sources: Sources, progress: Progress = no_progress, stop: StopCheck = never
) -> SourceChanges:
    """Read the sources and compare them with the store by content hash (under the lock, so
    no other write changes the store between this diff and the write that applies it)."""
    with parts.write_lock(progress):
        return parts.ingestor.scan(sources, progress, stop)


def build(parts: Components, changes: SourceChanges) -> BuiltGraphs:
    """Document graphs of the new and changed documents, kept whole; `write_graph` streams
    them instead when the stages run together."""
    began = time.perf_counter()
    items = list(parts.ingestor.build(changes))
    return BuiltGraphs(
        [g for g in items if isinstance(g, DocumentGraph)],
        [f for f in items if isinstance(f, FileError)],
        time.perf_counter() - began,
    )


def write_graph(
    parts: Components,
    changes: SourceChanges,
    built: BuiltGraphs | None = None,
    progress: Progress = no_progress,
    stop: StopCheck = never,
) -> WriteReport:
    """Upsert the changed documents' graphs, a batch per transaction, and delete the gone
    documents: built here as they are written (streaming), or taken from `build`."""
    with parts.write_lock(progress):
        if built is None:
            return parts.ingestor.write(parts.ingestor.build(changes), changes, progress, stop)
        items: Iterable[DocumentGraph | FileError] = built.items()
        report = parts.ingestor.write(items, changes, progress, stop)
    return replace(report, build_seconds=built.seconds)


@dataclass(frozen=True)
class LayerReport:
    """What the sentence-layer stage parsed: chunks that had no layer of the pipeline."""

    chunks: int = 0
    seconds: float = 0.0


# Chunks parsed and stored per transaction when the layer is filled in.
LAYER_BATCH = 256


def write_sentence_layer(parts: Components, progress: Progress = no_progress) -> LayerReport:
    """Parse and store the sentence layer of the chunks without one (or with another spaCy
    pipeline's), a batch per transaction, so answering never parses document text; nothing
    to do after a write that built every chunk's layer, or with `ingest.sentence_layer` off."""
    began = time.perf_counter()
    settings = parts.settings.ingest
    if not settings.sentence_layer:
        return LayerReport()
    with parts.write_lock(progress):
        missing = parts.store.chunks_without_parse(layer_model(settings.spacy_model))
        stored = 0
        for start in range(0, len(missing), LAYER_BATCH):
            progress("sentence layer", start, len(missing))
            chunks = parts.store.chunks(missing[start : start + LAYER_BATCH])
            stored += parts.store.put_parses(
                parse_chunks(parts.nlp(), settings.spacy_model, chunks)
            )
        if missing:
            progress("sentence layer", len(missing), len(missing))
    return LayerReport(stored, time.perf_counter() - began)


def sync_vectors(parts: Components, progress: Progress = no_progress) -> VectorReport:
    """Embed what the vector indexes lack, drop what the graph lost, publish both atomically."""
    with parts.write_lock(progress):
        return parts.vectors.sync(parts.store, progress)


def rebuild_communities(parts: Components, progress: Progress = no_progress) -> CommunityReport:
    """Leiden communities and their reports, rebuilt when the graph changed since."""
    with parts.write_lock(progress):
        progress("communities", 0, 1)
        report = parts.refresh_communities()
        progress("communities", 1, 1)
        return report


def follow_graph(parts: Components, progress: Progress = no_progress) -> FollowReport:
    """Bring the vector indexes, then the communities, up to date with the graph."""
    with parts.write_lock(progress):
        return FollowReport(sync_vectors(parts, progress), rebuild_communities(parts, progress))


def publish_failures(
    parts: Components, changes: SourceChanges, written: WriteReport
) -> frozenset[FileError]:
    """Record this write's failures as the store's `failures.json`; the ones the previous
    write reported too come back, so a daily run can tell old failures from new."""
    failed = [*changes.failed, *written.failed]
    with parts.write_lock():
        known = parts.failure_log.replace(failed)
    return frozenset(f for f in failed if f in known)
