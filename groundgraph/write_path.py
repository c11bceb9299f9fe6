"""The one write path: scan → build document graphs → write → sync vectors → refresh
communities.

Every write verb (`ingest`, `refresh`, `import_rdf`, `delete`) runs these stages, and the
Dagster assets run the same stages one per asset. Each stage returns its own report;
`IngestReport` only holds them side by side, so nothing is filled in by someone else.
"""

from dataclasses import dataclass
from pathlib import Path

from groundgraph.assembly import Components
from groundgraph.graph.ids import document_id
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.ingest.base import FileError
from groundgraph.ingest.changes import SourceChanges, Sources
from groundgraph.ingest.ingestor import WriteReport
from groundgraph.retrieval.community_reports import CommunityReport
from groundgraph.retrieval.vectors import VectorReport


@dataclass(frozen=True)
class FollowReport:
    """What the derived data did after a graph write: vectors, then communities."""

    vectors: VectorReport
    communities: CommunityReport


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
    """

    changes: SourceChanges
    write: WriteReport
    follow: FollowReport
    known_failures: frozenset[FileError] = frozenset()

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

    def stage_seconds(self) -> dict[str, float]:
        """Wall time per stage, in the order they ran (for tables and `--json`)."""
        vectors = self.follow.vectors
        return {
            "read": self.changes.seconds,
            "extract": self.write.build_seconds,
            "write": self.write.write_seconds,
            "embed_chunks": vectors.chunk_seconds,
            "embed_entities": vectors.entity_seconds,
            "communities": self.follow.communities.seconds,
        }


def follow_graph(parts: Components, progress: Progress = no_progress) -> FollowReport:
    """Bring the vector indexes, then the communities, up to date with the graph."""
    vectors = parts.vectors.sync(parts.store, progress)
    progress("communities", 0, 1)
    communities = parts.refresh_communities()
    progress("communities", 1, 1)
    return FollowReport(vectors, communities)


def write_sources(
    parts: Components, sources: Sources, progress: Progress = no_progress
) -> IngestReport:
    """Every stage for `sources`: only new or changed documents are built and written.

    A misconfigured answer model fails before anything is written (it summarises the
    communities at the end).
    """
    parts.summary_chat()
    changes = parts.ingestor.scan(sources, progress)
    written = parts.ingestor.write(parts.ingestor.build(changes), changes, progress)
    follow = follow_graph(parts, progress)
    failed = [*changes.failed, *written.failed]
    known = parts.failure_log.replace(failed)
    return IngestReport(changes, written, follow, frozenset(f for f in failed if f in known))


def ingest_paths(
    parts: Components, paths: list[Path], progress: Progress = no_progress
) -> IngestReport:
    """Ingest document files and directory trees."""
    return write_sources(parts, Sources(paths=tuple(paths)), progress)


def import_rdf_paths(
    parts: Components, paths: list[Path], fmt: str | None = None, progress: Progress = no_progress
) -> IngestReport:
    """Import RDF files; each is the authority on the documents it yields."""
    return write_sources(parts, Sources(rdf=tuple(paths), rdf_format=fmt), progress)


def refresh_sources(parts: Components, progress: Progress = no_progress) -> IngestReport:
    """Re-read every source ingested or imported before: changes update, gone files go."""
    from groundgraph.ingest.changes import stored_sources

    return write_sources(parts, stored_sources(parts.store), progress)


@dataclass(frozen=True)
class DeleteReport:
    """What a delete removed, and the derived data after it."""

    deleted: int
    follow: FollowReport


def delete_document(parts: Components, uri: str) -> DeleteReport:
    """Delete a document by URI (or file path) and everything only it supported."""
    candidates = [uri] if "://" in uri else [Path(uri).resolve().as_uri(), uri]
    parts.summary_chat()
    deleted = parts.store.delete_documents(document_id(u) for u in candidates)
    return DeleteReport(deleted, follow_graph(parts))
