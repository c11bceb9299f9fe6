"""The ingest pipeline: files → documents → changed ones only → graph.

Each stage is a public function so the Dagster assets can run them one by one; `Ingestor`
chains them for the Python API and the CLI.
"""

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from groundgraph.graph.base import GraphStore
from groundgraph.graph.model import DocumentGraph
from groundgraph.ingest.base import (
    Extractor,
    FileError,
    IngestReport,
    SourceDocument,
    SourceError,
)
from groundgraph.ingest.building import TASK_DOCUMENTS, build_graphs, build_in_processes
from groundgraph.ingest.extract_spacy import SpacyExtractor
from groundgraph.ingest.graph_builder import document_record
from groundgraph.ingest.rdf_read import is_rdf_file
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.sources import discover, read_source, uri_path
from groundgraph.progress import Progress, no_progress


@dataclass
class Scan:
    """The documents found under some paths, and the files that failed."""

    documents: list[SourceDocument]
    failed: list[FileError]
    read_paths: set[str]


@dataclass
class Diff:
    """Scanned documents compared with the store by content hash."""

    added: list[SourceDocument]
    updated: list[SourceDocument]
    unchanged: list[SourceDocument]
    deleted: list[str]  # document ids
    deleted_uris: list[str]

    @property
    def changed(self) -> list[SourceDocument]:
        return self.added + self.updated


def scan(paths: Iterable[Path], settings: IngestSettings, progress: Progress = no_progress) -> Scan:
    """Read every file under `paths`; each unusable file or record becomes a `FileError`."""
    files, failed = discover(paths)
    documents: list[SourceDocument] = []
    read_paths: set[str] = set()
    for done, (path, source) in enumerate(files, start=1):
        try:
            docs, errors = read_source(path, settings, source)
            documents.extend(docs)
            failed.extend(errors)
            read_paths.add(path.resolve().as_uri())
        except SourceError as e:
            failed.append(FileError(e.path, e.reason))
        progress("read", done, len(files))
    return Scan(documents, failed, read_paths)


def stored_sources(store: GraphStore, rdf: bool = False) -> list[Path]:
    """The paths stored documents came from, what a refresh re-reads: the ingested ones, or
    with `rdf` the imported RDF files."""
    sources = sorted({Path(d.source) for d in store.documents()})
    return [s for s in sources if is_rdf_file(s) == rdf]


def diff(store: GraphStore, found: Scan, sources: Sequence[str] = ()) -> Diff:
    """Classify scanned documents; with `sources`, stored documents under those sources whose
    file is gone (or whose record left a file that still reads) count as deleted."""
    records = {doc.uri: document_record(doc) for doc in found.documents}
    stored = {d.uri: d for d in store.documents()}
    added, updated, unchanged = [], [], []
    for doc in found.documents:
        before = stored.get(doc.uri)
        if before is None:
            added.append(doc)
        elif before.content_hash != records[doc.uri].content_hash:
            updated.append(doc)
        else:
            unchanged.append(doc)
    gone = [
        d
        for d in stored.values()
        if d.source in sources and d.uri not in records and _is_gone(d.uri, found.read_paths)
    ]
    return Diff(added, updated, unchanged, [d.id for d in gone], [d.uri for d in gone])


def _is_gone(uri: str, read_paths: set[str]) -> bool:
    """A document is gone if its file no longer exists, or its file was read without it.
    A file that failed to read keeps its documents: nothing is lost to a transient error."""
    file_uri = uri.split("#", 1)[0]
    if file_uri in read_paths:
        return True
    return not uri_path(file_uri).exists()


class Ingestor:
    """Parses, extracts and writes changed documents, batch by batch.

    Args:
        settings: chunking and extraction settings.
        store: the graph store written to.
        extractor: finds entities and relations; spaCy rules by default.
        batch_size: documents per store transaction.
    """

    def __init__(
        self,
        settings: IngestSettings,
        store: GraphStore,
        extractor: Extractor | None = None,
        batch_size: int = 64,
    ) -> None:
        self.settings = settings
        self.store = store
        self.extractor = extractor or SpacyExtractor(settings.entity_types)
        self.batch_size = batch_size

    def build(self, documents: Sequence[SourceDocument]) -> Iterator[DocumentGraph | FileError]:
        """Parse and extract documents in order, streaming, on `spacy_processes` processes
        when there is work for more than one; a document that fails becomes a `FileError`
        in its place."""
        processes = min(self.settings.spacy_processes, -(-len(documents) // TASK_DOCUMENTS))
        if processes > 1:
            return build_in_processes(documents, self.settings, self.extractor, processes)
        return build_graphs(documents, self.settings, self.extractor)

    def apply(self, changes: Diff, report: IngestReport, progress: Progress = no_progress) -> None:
        """Parse, extract and write the changed documents, and delete the gone ones."""
        began = time.perf_counter()
        self.write(self.build(changes.changed), changes, report, progress)
        report.seconds["extract"] = time.perf_counter() - began - report.seconds["write"]

    def write(
        self,
        items: Iterable[DocumentGraph | FileError],
        changes: Diff,
        report: IngestReport,
        progress: Progress = no_progress,
    ) -> None:
        """Write document graphs a batch per transaction, then delete the gone documents.

        `items` may be a stream (`build`) or graphs built earlier (a pipeline stage); a
        `FileError` among them is reported and the rest go on.
        """
        total = len(changes.changed)
        updated = {d.uri for d in changes.updated}
        writing = 0.0
        batch: list[DocumentGraph] = []

        def flush() -> None:
            nonlocal writing
            started = time.perf_counter()
            self.store.upsert(batch)
            writing += time.perf_counter() - started
            for graph in batch:
                uri = graph.document.uri
                (report.updated if uri in updated else report.added).append(uri)
            batch.clear()

        for done, item in enumerate(items, start=1):
            if isinstance(item, FileError):
                report.failed.append(item)
            else:
                batch.append(item)
            if len(batch) == self.batch_size:
                flush()
            progress("extract", done, total)
        if batch:
            flush()
        started = time.perf_counter()
        if changes.deleted:
            self.store.delete_documents(changes.deleted)
            report.deleted.extend(changes.deleted_uris)
        report.seconds["write"] = writing + time.perf_counter() - started

    def ingest(
        self, paths: Iterable[Path], delete_missing: bool = False, progress: Progress = no_progress
    ) -> IngestReport:
        """Ingest files and directory trees; only new or changed documents are processed.

        Args:
            paths: files or directories.
            delete_missing: also delete stored documents of these paths whose files are gone.
            progress: called as files are read and documents written.
        """
        paths = [Path(p) for p in paths]
        began = time.perf_counter()
        found = scan(paths, self.settings, progress)
        sources = [str(p.resolve()) for p in paths] if delete_missing else []
        return self._ingest_scan(found, sources, began, progress)

    def ingest_documents(
        self, documents: Sequence[SourceDocument], progress: Progress = no_progress
    ) -> IngestReport:
        """Ingest documents already in memory (rows of a database, a benchmark corpus)."""
        return self._ingest_scan(
            Scan(list(documents), [], set()), [], time.perf_counter(), progress
        )

    def _ingest_scan(
        self, found: Scan, sources: list[str], began: float, progress: Progress
    ) -> IngestReport:
        changes = diff(self.store, found, sources)
        report = IngestReport(failed=found.failed, unchanged=[d.uri for d in changes.unchanged])
        report.seconds["read"] = time.perf_counter() - began
        self.apply(changes, report, progress)
        return report
