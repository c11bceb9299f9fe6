"""The ingest stages of the write path, on one store: scan → build → write.

`Ingestor` holds what the stages share (settings, the extractor, the store); the assembly
(`groundgraph.assembly`) builds the one instance everything uses. Each stage returns its own
report, so the facade can chain them and the Dagster assets can run them one by one.
"""

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from groundgraph.graph.base import GraphStore
from groundgraph.graph.model import DocumentGraph
from groundgraph.graph.progress import Progress, StopCheck, never, no_progress
from groundgraph.ingest.base import Extractor, FileError, SourceDocument
from groundgraph.ingest.building import TASK_DOCUMENTS, build_graphs, build_in_processes
from groundgraph.ingest.changes import Scan, SourceChanges, Sources, diff, scan_changes, uri_of
from groundgraph.ingest.entity_decisions import (
    EntityDecisionLog,
    ResolutionRules,
    apply_merges,
)
from groundgraph.ingest.settings import IngestSettings


@dataclass(frozen=True)
class WriteReport:
    """The write stage's report: what it stored and deleted, and the time it took.

    Attributes:
        failed: documents whose graph could not be built (the rest was written).
        build_seconds: time spent waiting for document graphs (parsing and extraction, when
            they are built as they are written).
        write_seconds: time spent in store transactions.
        cancelled: the caller stopped the write between two batches: the documents not
            listed were not written (nor were gone documents deleted), and the next
            refresh or ingest of the same files writes them.
    """

    added: list[str]
    updated: list[str]
    deleted: list[str]
    failed: list[FileError]
    entities_before: int
    entities_after: int
    build_seconds: float
    write_seconds: float
    cancelled: bool = False


class Ingestor:
    """The scan, build and write stages on one store.

    Args:
        settings: reading, chunking and extraction settings.
        store: the graph store read and written.
        extractor: finds entities and relations (chosen by `ingest.extractor`).
        batch_size: documents per store transaction.
        decisions: a person's merges and splits, read afresh by every build.
    """

    def __init__(
        self,
        settings: IngestSettings,
        store: GraphStore,
        extractor: Extractor,
        batch_size: int,
        decisions: EntityDecisionLog | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.extractor = extractor
        self.batch_size = batch_size
        self.decisions = decisions

    def scan(
        self, sources: Sources, progress: Progress = no_progress, stop: StopCheck = never
    ) -> SourceChanges:
        """Read the sources and compare them with the store by content hash.

        Raises:
            CancelledError: `stop` said so between two files.
        """
        return scan_changes(self.store, sources, self.settings, progress, stop)

    def changes_of(self, documents: Sequence[SourceDocument]) -> SourceChanges:
        """The scan stage for documents already in memory (database rows, a benchmark)."""
        return diff(self.store.documents(), Scan(documents=list(documents)))

    def build(self, changes: SourceChanges) -> Iterator[DocumentGraph | FileError]:
        """Document graphs of the new and changed documents, streaming and in order: RDF
        graphs as they were read, text parsed and extracted on `ingest.spacy_processes`
        processes when there is work for more than one. A document that fails becomes a
        `FileError` in its place. A person's splits apply as names are resolved, their
        merges to each graph built (text or RDF)."""
        rules = self.decisions.rules() if self.decisions else ResolutionRules()
        for item in self._built(changes, rules.kept_apart):
            yield apply_merges(item, rules) if isinstance(item, DocumentGraph) else item

    def _built(
        self, changes: SourceChanges, kept_apart: frozenset[tuple[str, str]]
    ) -> Iterator[DocumentGraph | FileError]:
        ready = [item for item in changes.changed if isinstance(item, DocumentGraph)]
        texts = [item for item in changes.changed if isinstance(item, SourceDocument)]
        yield from ready
        if not texts:
            return
        processes = min(self.settings.spacy_processes, -(-len(texts) // TASK_DOCUMENTS))
        if processes > 1:
            yield from build_in_processes(
                texts, self.settings, self.extractor, processes, kept_apart
            )
        else:
            yield from build_graphs(texts, self.settings, self.extractor, kept_apart)

    def write(
        self,
        items: Iterable[DocumentGraph | FileError],
        changes: SourceChanges,
        progress: Progress = no_progress,
        stop: StopCheck = never,
    ) -> WriteReport:
        """Write document graphs a batch per transaction, then delete the gone documents.

        `items` may be a stream (`build`) or graphs built earlier (a pipeline stage); a
        `FileError` among them is reported and the rest go on. When `stop` says so, the
        write ends after the last whole batch (`cancelled` in the report).
        """
        before = self.store.stats().entities
        updated = {uri_of(d) for d in changes.updated}
        added: list[str] = []
        changed: list[str] = []
        failed: list[FileError] = []
        total = len(changes.changed)
        writing = waiting = 0.0
        batch: list[DocumentGraph] = []

        def flush() -> None:
            nonlocal writing
            started = time.perf_counter()
            self.store.upsert(batch)
            writing += time.perf_counter() - started
            for graph in batch:
                uri = graph.document.uri
                (changed if uri in updated else added).append(uri)
            batch.clear()
            progress("write", len(added) + len(changed) + len(failed), total)

        stream = iter(items)
        while not (cancelled := stop()):
            started = time.perf_counter()
            item = next(stream, None)
            waiting += time.perf_counter() - started
            if item is None:
                break
            if isinstance(item, FileError):
                failed.append(item)
            else:
                batch.append(item)
            if len(batch) == self.batch_size:
                flush()
        if batch and not cancelled:
            flush()
        started = time.perf_counter()
        if changes.deleted and not cancelled:
            self.store.delete_documents(d.id for d in changes.deleted)
        writing += time.perf_counter() - started
        after = before if changes.empty else self.store.stats().entities
        return WriteReport(
            added=added,
            updated=changed,
            deleted=[] if cancelled else [d.uri for d in changes.deleted],
            failed=failed,
            entities_before=before,
            entities_after=after,
            build_seconds=waiting,
            write_seconds=writing,
            cancelled=cancelled,
        )
