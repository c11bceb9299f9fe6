"""The one write path: the stages of `write_stages`, run together under one writer lock.

Every write verb (`ingest`, `refresh`, `import_rdf`, `delete`, `check --repair`) runs these
stages, and the Dagster assets run the same stages one per asset. Each stage returns its own
report; `IngestReport` only holds them side by side, so nothing is filled in by someone else.
"""

from dataclasses import dataclass, field
from pathlib import Path

import groundgraph.write_stages as stages
from groundgraph.assembly import Components
from groundgraph.graph.ids import document_id
from groundgraph.graph.integrity import check_integrity
from groundgraph.graph.progress import Progress, StopCheck, never, no_progress
from groundgraph.ingest.base import FileError
from groundgraph.ingest.changes import SourceChanges, Sources, stored_sources
from groundgraph.ingest.ingestor import WriteReport
from groundgraph.ingest.sentence_layer import layer_model
from groundgraph.retrieval.indexes.faiss_index import DamagedIndexError
from groundgraph.write_stages import FollowReport, LayerReport


@dataclass(frozen=True)
class IngestReport:
    """What an ingest, refresh or import did, stage by stage.

    Attributes:
        changes: the scan: what was new, changed, unchanged, gone, and unreadable.
        write: what the graph write stored and deleted, and the documents that failed to
            build.
        follow: the vector sync and the community rebuild after it.
        known_failures: the failures that the store's previous write reported too (a bad
            file still in a source folder), so a daily refresh can tell old from new.
        waited_seconds: how long the write waited for another process's write to finish.
        layer: the chunks the sentence-layer stage parsed after the write (those built
            without a layer: RDF imports, stores written before the layer).
    """

    changes: SourceChanges
    write: WriteReport
    follow: FollowReport
    known_failures: frozenset[FileError] = frozenset()
    waited_seconds: float = 0.0
    layer: LayerReport = field(default_factory=LayerReport)

    @property
    def added(self) -> list[str]:
        return self.write.added

    @property
    def updated(self) -> list[str]:
        return self.write.updated

    @property
    def unchanged(self) -> list[str]:
        return self.changes.unchanged

    @property
    def deleted(self) -> list[str]:
        return self.write.deleted

    @property
    def failed(self) -> list[FileError]:
        """Every file or record that could not be used, with the reason."""
        return [*self.changes.failed, *self.write.failed]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def new_failures(self) -> list[FileError]:
        return [f for f in self.failed if f not in self.known_failures]

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated) + len(self.deleted)

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "deleted": len(self.deleted),
            "failed": len(self.failed),
        }

    def to_dict(self) -> dict:
        """Counts, the changed documents by URI, each failure with its reason (and whether
        the previous write reported it too), and the seconds per stage: `--json` and the
        server print this."""
        return {
            **self.summary(),
            "cancelled": self.write.cancelled,
            "added_documents": self.added,
            "updated_documents": self.updated,
            "deleted_documents": self.deleted,
            "errors": [
                {
                    "path": f.path,
                    "line": f.line,
                    "reason": f.reason,
                    "known": f in self.known_failures,
                }
                for f in self.failed
            ],
            "seconds": {k: round(v, 3) for k, v in self.stage_seconds().items()},
        }

    def stage_seconds(self) -> dict[str, float]:
        """Wall time per stage, in the order they ran (for tables and `--json`)."""
        vectors = self.follow.vectors
        return {
            "read": self.changes.seconds,
            "extract": self.write.build_seconds,
            "write": self.write.write_seconds,
            "sentence_layer": self.layer.seconds,
            "embed_chunks": vectors.chunk_seconds,
            "embed_entities": vectors.entity_seconds,
            "communities": self.follow.communities.seconds,
        }


def write_sources(
    parts: Components, sources: Sources, progress: Progress = no_progress, stop: StopCheck = never
) -> IngestReport:
    """Every stage for `sources`: only new or changed documents are built and written.

    A misconfigured answer model fails before anything is written (it summarises the
    communities at the end). When `stop` says so, reading ends with `CancelledError` and
    nothing written, or writing ends after its last whole batch, whose documents then get
    their vectors and communities as any write's do (the report says `cancelled`).
    """
    stages.prepare(parts)
    with parts.write_lock(progress) as waited:
        changes = stages.scan(parts, sources, progress, stop)
        written = stages.write_graph(parts, changes, progress=progress, stop=stop)
        layer = stages.write_sentence_layer(parts, progress)
        follow = stages.follow_graph(parts, progress)
        known = stages.publish_failures(parts, changes, written)
    return IngestReport(changes, written, follow, known, waited, layer)


def ingest_paths(
    parts: Components, paths: list[Path], progress: Progress = no_progress, stop: StopCheck = never
) -> IngestReport:
    """Ingest document files and directory trees."""
    return write_sources(parts, Sources(paths=tuple(paths)), progress, stop)


def import_rdf_paths(
    parts: Components, paths: list[Path], fmt: str | None = None, progress: Progress = no_progress
) -> IngestReport:
    """Import RDF files; each is the authority on the documents it yields."""
    return write_sources(parts, Sources(rdf=tuple(paths), rdf_format=fmt), progress)


def refresh_sources(
    parts: Components, progress: Progress = no_progress, stop: StopCheck = never
) -> IngestReport:
    """Re-read every source ingested or imported before: changes update, gone files go."""
    return write_sources(parts, stored_sources(parts.store), progress, stop)


@dataclass(frozen=True)
class DeleteReport:
    """What a delete removed, and the derived data after it."""

    deleted: int
    follow: FollowReport


def delete_document(parts: Components, uri: str) -> DeleteReport:
    """Delete a document by URI (or file path) and everything only it supported."""
    candidates = [uri] if "://" in uri else [Path(uri).resolve().as_uri(), uri]
    stages.prepare(parts)
    with parts.write_lock():
        deleted = parts.store.delete_documents(document_id(u) for u in candidates)
        return DeleteReport(deleted, stages.follow_graph(parts))


@dataclass(frozen=True)
class CheckReport:
    """What `check` found, and what it repaired.

    Attributes:
        database: problems the store's own integrity check reported.
        references: mentions and relations pointing at missing nodes (`graph/integrity.py`).
        vectors: vector index problems: unreadable files, chunks without a vector, vectors
            without a chunk.
        repaired: what a repair rebuilt (index files, vectors added or removed, sentence
            layers written).
        sentence_layer: chunks without a sentence layer of the configured spaCy pipeline
            (answers then parse them each time; a repair writes it).
    """

    database: list[str]
    references: list[str]
    vectors: list[str]
    repaired: list[str]
    sentence_layer: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.database or self.references or self.vectors or self.sentence_layer)


def check_store(parts: Components, repair: bool = False) -> CheckReport:
    """The store checked end to end; with `repair`, vector indexes rebuilt from the graph."""
    database = parts.store.check()
    integrity = check_integrity(parts.store)
    references = [] if integrity.ok else list(integrity.examples) or ["graph references"]
    vectors: list[str] = []
    try:
        found = parts.vectors.consistency(parts.store)
        if not found.ok:
            vectors.append(
                f"{found.chunks_without_vector} chunks without a vector, "
                f"{found.vectors_without_chunk} vectors without a chunk, "
                f"{found.duplicate_vectors} duplicates"
            )
        parts.vectors.entities  # noqa: B018 - opening it is the check
    except DamagedIndexError as e:
        vectors.append(str(e))
    layer = _layer_problems(parts)
    repaired: list[str] = []
    if repair and layer:
        written = stages.write_sentence_layer(parts)
        repaired.append(f"sentence layer written for {written.chunks} chunks")
        layer = _layer_problems(parts)
    if repair and vectors:
        with parts.write_lock():
            report = parts.vectors.sync(parts.store, repair=True)
        repaired = [f"rebuilt {name}" for name in report.rebuilt]
        repaired.append(
            f"{report.chunks_added} chunk vectors added, {report.chunks_removed} removed; "
            f"{report.entities_added} entity vectors added, {report.entities_removed} removed"
        )
        vectors = []
    return CheckReport(database, references, vectors, repaired, layer)


def _layer_problems(parts: Components) -> list[str]:
    settings = parts.settings.ingest
    if not settings.sentence_layer:
        return []
    missing = len(parts.store.chunks_without_parse(layer_model(settings.spacy_model)))
    if not missing:
        return []
    return [
        f"{missing} chunks have no sentence layer of {settings.spacy_model} (answers parse "
        "them each time); `groundgraph check --repair` writes it"
    ]
