"""Turning source documents into document graphs, in this process or in worker processes.

With several processes each worker parses, extracts and builds whole document graphs, and
only those travel back: shipping spaCy's parsed docs back instead (spaCy's own `n_process`)
left the main process deserialising them while the workers waited, and parsed 1,500 2Wiki
passages in 22.7 s against 14.8 s this way on 2 cores (29.2 s in one process).
"""

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from groundgraph.graph.model import DocumentGraph
from groundgraph.ingest.base import (
    EntitySpan,
    Extraction,
    Extractor,
    FileError,
    IngestError,
    ParsedText,
    RelationSpan,
    SourceDocument,
)
from groundgraph.ingest.chunking import Unit, sentence_units
from groundgraph.ingest.graph_builder import build_document_graph
from groundgraph.ingest.nlp import load_spacy, parse_blocks
from groundgraph.ingest.sentence_layer import with_parses
from groundgraph.ingest.settings import IngestSettings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Documents per task sent to a worker: small enough to keep both cores busy to the end.
TASK_DOCUMENTS = 16
# Tasks queued per worker: bounds the finished graphs waiting in memory for the writer.
_TASKS_AHEAD = 2

_worker: tuple[IngestSettings, Extractor, frozenset[tuple[str, str]]] | None = None


@dataclass
class _Found:
    """What the blocks of one document parsed so far yielded: only spans and units, so a
    long document never holds more than one block's parse."""

    units: list[Unit] = field(default_factory=list)
    entities: list[EntitySpan] = field(default_factory=list)
    relations: list[RelationSpan] = field(default_factory=list)
    error: str = ""

    def add(self, parsed: ParsedText, extractor: Extractor, size: int) -> None:
        extraction = extractor.extract(parsed)
        shift = len(self.entities)
        self.entities.extend(extraction.entities)
        self.relations.extend(
            replace(r, source=r.source + shift, target=r.target + shift)
            for r in extraction.relations
        )
        self.units.extend(sentence_units(parsed, size))


def build_graphs(
    documents: Sequence[SourceDocument],
    settings: IngestSettings,
    extractor: Extractor,
    kept_apart: frozenset[tuple[str, str]] = frozenset(),
) -> Iterator[DocumentGraph | FileError]:
    """Parse and extract documents in order, streaming, block by block; a document that
    fails becomes a `FileError` in its place. `kept_apart`: names a person split."""
    nlp = load_spacy(settings.spacy_model)
    found = _Found()
    built: list[tuple[DocumentGraph | FileError, Doc | None]] = []
    for i, block, last in parse_blocks(nlp, (d.text for d in documents)):
        doc = documents[i]
        if not found.error:
            try:
                found.add(ParsedText(doc.text, (block,)), extractor, settings.chunk_size)
            except (ValueError, IndexError) as e:
                found.error = f"extraction failed: {e}"
        if not last:
            continue
        if found.error:
            built.append((FileError(doc.uri, found.error), None))
        else:
            extraction = Extraction(tuple(found.entities), tuple(found.relations))
            # A document of one block was parsed whole: a chunk that is all of it has its
            # parse already.
            whole = block.doc if block.offset == 0 else None
            graph = build_document_graph(doc, found.units, extraction, settings, kept_apart)
            built.append((graph, whole))
        found = _Found()
        if len(built) >= TASK_DOCUMENTS:
            yield from _layered(nlp, settings, built)
            built = []
    yield from _layered(nlp, settings, built)


def _layered(
    nlp: "Language",
    settings: IngestSettings,
    built: list[tuple[DocumentGraph | FileError, "Doc | None"]],
) -> list[DocumentGraph | FileError]:
    """The built graphs with their chunks' sentence layer (when `ingest.sentence_layer`),
    in their order among the failures: a chunk that is its whole document takes the
    document's parse (most of a passage corpus: 260 of 380 2Wiki chunks), the others are
    parsed together."""
    if not settings.sentence_layer:
        return [item for item, _ in built]
    whole = {
        c.id: doc
        for item, doc in built
        if isinstance(item, DocumentGraph) and doc is not None
        for c in item.chunks
        if c.text == doc.text
    }
    graphs = [item for item, _ in built if isinstance(item, DocumentGraph)]
    layered = iter(with_parses(nlp, settings.spacy_model, graphs, whole))
    return [next(layered) if isinstance(item, DocumentGraph) else item for item, _ in built]


def _start_worker(
    settings: IngestSettings, extractor: Extractor, kept_apart: frozenset[tuple[str, str]]
) -> None:
    global _worker
    _worker = (settings, extractor, kept_apart)


def _build_task(documents: list[SourceDocument]) -> list[DocumentGraph | FileError]:
    assert _worker is not None, "worker process was not initialised"
    settings, extractor, kept_apart = _worker
    return list(build_graphs(documents, settings, extractor, kept_apart))


def build_in_processes(
    documents: Sequence[SourceDocument],
    settings: IngestSettings,
    extractor: Extractor,
    processes: int,
    kept_apart: frozenset[tuple[str, str]] = frozenset(),
) -> Iterator[DocumentGraph | FileError]:
    """`build_graphs` on `processes` worker processes, results in document order.

    Raises:
        IngestError: a worker died (killed for memory, most likely); the message names the
            documents it was building. Graphs yielded before it are complete.
    """
    tasks = [
        list(documents[start : start + TASK_DOCUMENTS])
        for start in range(0, len(documents), TASK_DOCUMENTS)
    ]
    with ProcessPoolExecutor(
        processes, initializer=_start_worker, initargs=(settings, extractor, kept_apart)
    ) as pool:
        pending: deque[tuple[list[SourceDocument], Future[list[DocumentGraph | FileError]]]]
        pending = deque()
        for task in tasks:
            pending.append((task, pool.submit(_build_task, task)))
            if len(pending) > processes * _TASKS_AHEAD:
                yield from _result(pending)
        while pending:
            yield from _result(pending)


def _result(
    pending: deque[tuple[list[SourceDocument], Future[list[DocumentGraph | FileError]]]],
) -> list[DocumentGraph | FileError]:
    """The oldest task's graphs. A dead worker breaks every unfinished future at once, so
    the error names each unfinished task: which one held the fatal document is unknown."""
    task, future = pending.popleft()
    try:
        return future.result()
    except BrokenProcessPool as e:
        unfinished = ", ".join(
            f"{t[0].uri} and {len(t) - 1} more" for t in (task, *(t for t, _ in pending))
        )
        raise IngestError(
            f"a parsing process died while building one of these documents (out of memory? "
            f"lower ingest.spacy_processes): {unfinished}: {e}"
        ) from e
