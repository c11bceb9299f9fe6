"""The first stage of every write: read the sources and compare them with the store.

Document files (text, Markdown, HTML, JSON, PDF) yield `SourceDocument`s that the build stage
parses; RDF files yield finished `DocumentGraph`s. Both are compared with the stored
documents by content hash, so every later stage sees only what changed.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from groundgraph.graph.base import GraphReader
from groundgraph.graph.errors import CancelledError
from groundgraph.graph.model import Document, DocumentGraph
from groundgraph.graph.progress import Progress, StopCheck, never, no_progress
from groundgraph.ingest.base import FileError, SourceDocument, SourceError
from groundgraph.ingest.graph_builder import document_record
from groundgraph.ingest.rdf_read import is_rdf_file, read_rdf
from groundgraph.ingest.read_budget import read_within_budget
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.sources import discover, uri_path

Pending = SourceDocument | DocumentGraph
"""A new or changed document: text still to parse, or a graph read whole from RDF."""


@dataclass(frozen=True)
class Sources:
    """What a write reads.

    Attributes:
        paths: document files and folders.
        rdf: RDF files; each is the authority on the documents it yields, so a document it
            no longer yields (or a file that is gone) is deleted.
        rdf_format: parser for every RDF file (`turtle`, `nt`, `xml`, `jsonld`); by extension
            if None.
        delete_missing: stored documents of `paths` whose file is gone, or whose record left
            a file that still reads, are deleted (a refresh).
        rebuild: URIs of documents built again even when their content is unchanged (a
            person's entity decision changes how they resolve).
    """

    paths: tuple[Path, ...] = ()
    rdf: tuple[Path, ...] = ()
    rdf_format: str | None = None
    delete_missing: bool = False
    rebuild: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Scan:
    """What reading the sources found: documents to build, RDF graphs, unusable files."""

    documents: list[SourceDocument] = field(default_factory=list)
    graphs: list[DocumentGraph] = field(default_factory=list)
    failed: list[FileError] = field(default_factory=list)
    read_paths: frozenset[str] = frozenset()  # URIs of files read without an error
    roots: frozenset[str] = frozenset()  # sources whose missing documents are deleted


@dataclass(frozen=True)
class SourceChanges:
    """The scan stage's report: new, changed, unchanged and gone documents, and the files
    that could not be used.

    Attributes:
        added, updated: documents to build (or RDF graphs to write).
        unchanged: URIs of documents whose content hash is what the store holds.
        deleted: stored documents that are gone.
    """

    added: list[Pending]
    updated: list[Pending]
    unchanged: list[str]
    deleted: list[Document]
    failed: list[FileError]
    seconds: float = 0.0

    @property
    def changed(self) -> list[Pending]:
        return self.added + self.updated

    @property
    def empty(self) -> bool:
        """Nothing to build, write or delete."""
        return not (self.added or self.updated or self.deleted)


def uri_of(item: Pending) -> str:
    """The document URI of a pending document."""
    return item.uri if isinstance(item, SourceDocument) else item.document.uri


def _content_hash(item: Pending) -> str:
    document = document_record(item) if isinstance(item, SourceDocument) else item.document
    return document.content_hash


def stored_sources(store: GraphReader) -> Sources:
    """What a refresh re-reads: every path documents were ingested from, and every RDF file
    imported, with missing documents deleted."""
    return sources_of(store.documents(), delete_missing=True)


def sources_of(
    documents: Iterable[Document],
    delete_missing: bool = False,
    rebuild: frozenset[str] = frozenset(),
) -> Sources:
    """The paths and RDF files the documents were read from, to read again."""
    sources = sorted({Path(d.source) for d in documents})
    return Sources(
        paths=tuple(s for s in sources if not is_rdf_file(s)),
        rdf=tuple(s for s in sources if is_rdf_file(s)),
        delete_missing=delete_missing,
        rebuild=rebuild,
    )


def scan(
    sources: Sources,
    settings: IngestSettings,
    stored: Iterable[Document] = (),
    progress: Progress = no_progress,
    stop: StopCheck = never,
) -> Scan:
    """Read every file of `sources`; each unusable file or record becomes a `FileError`.

    A path that no longer exists is not an error when `stored` documents came from it and it
    is a root whose missing documents are deleted: that is a deletion.

    Raises:
        CancelledError: `stop` said so between two files (nothing has been written yet).
    """
    known = {d.source for d in stored}
    roots = {str(p.resolve()) for p in sources.rdf}
    if sources.delete_missing:
        roots |= {str(p.resolve()) for p in sources.paths}
    wanted = [
        p
        for p in (*sources.paths, *sources.rdf)
        if p.exists() or not (str(p.resolve()) in roots and str(p.resolve()) in known)
    ]
    rdf = {p.resolve() for p in sources.rdf}
    follow = settings.follow_external_symlinks
    files, failed = discover((p for p in wanted if p.resolve() not in rdf), follow)
    rdf_files, rdf_missing = discover((p for p in wanted if p.resolve() in rdf), follow)
    failed += rdf_missing
    documents: list[SourceDocument] = []
    graphs: list[DocumentGraph] = []
    read_paths: set[str] = set()
    total = len(files) + len(rdf_files)
    for done, (path, source) in enumerate([*files, *rdf_files], start=1):
        if stop():
            raise CancelledError(f"stopped before reading {path}: nothing was written")
        try:
            if path.resolve() in rdf:
                graphs.extend(read_rdf(path, settings, sources.rdf_format))
            else:
                docs, errors = read_within_budget(path, settings, source)
                documents.extend(docs)
                failed.extend(errors)
                if errors:
                    continue  # a file with a broken record keeps the records it lost
            read_paths.add(path.resolve().as_uri())
        except SourceError as e:
            failed.append(FileError(e.path, e.reason, e.line))
        except Exception as e:  # one file's failure, whatever it is, is that file's error
            failed.append(FileError(str(path), f"cannot read file: {type(e).__name__}: {e}"))
        progress("read", done, total)
    return Scan(documents, graphs, failed, frozenset(read_paths), frozenset(roots))


def diff(
    stored: Sequence[Document],
    found: Scan,
    seconds: float = 0.0,
    rebuild: frozenset[str] = frozenset(),
) -> SourceChanges:
    """Classify scanned documents against the stored ones by content hash; those in
    `rebuild` count as updated whatever their hash."""
    by_uri = {d.uri: d for d in stored}
    added: list[Pending] = []
    updated: list[Pending] = []
    unchanged: list[str] = []
    seen: set[str] = set()
    items: list[Pending] = [*found.documents, *found.graphs]
    for item in items:
        uri = uri_of(item)
        seen.add(uri)
        before = by_uri.get(uri)
        if before is None:
            added.append(item)
        elif uri in rebuild or before.content_hash != _content_hash(item):
            updated.append(item)
        else:
            unchanged.append(uri)
    gone = [
        d
        for d in stored
        if d.source in found.roots and d.uri not in seen and _is_gone(d, found.read_paths)
    ]
    return SourceChanges(added, updated, unchanged, gone, list(found.failed), seconds)


def _is_gone(document: Document, read_paths: frozenset[str]) -> bool:
    """A document is gone if its file (or the file it came from) was read cleanly without
    it, or no longer exists. A file that failed to read, wholly or in one record, keeps its
    documents: nothing is lost to a transient error or a typo."""
    source = Path(document.source)
    file_uri = document.uri.split("#", 1)[0]
    if file_uri in read_paths or source.resolve().as_uri() in read_paths:
        return True
    if not source.exists():
        return True
    return source.is_dir() and not uri_path(file_uri).exists()


def scan_changes(
    store: GraphReader,
    sources: Sources,
    settings: IngestSettings,
    progress: Progress = no_progress,
    stop: StopCheck = never,
) -> SourceChanges:
    """Read the sources and compare them with the store: the scan stage."""
    began = time.perf_counter()
    stored = store.documents()
    found = scan(sources, settings, stored, progress, stop)
    return diff(stored, found, time.perf_counter() - began, sources.rebuild)
