"""Importing RDF files into a store, file by file, each file all or nothing.

Every document a file yields carries the file as its `source`, so importing the file again
updates only what changed, and a file that is gone (or no longer yields a document) takes
its documents, and what only they supported, with it.
"""

import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from groundgraph.graph.base import GraphStore
from groundgraph.graph.model import Document
from groundgraph.ingest.base import FileError, IngestReport, SourceError
from groundgraph.ingest.rdf_read import read_rdf
from groundgraph.progress import Progress, no_progress


def import_rdf_files(
    store: GraphStore,
    paths: Iterable[Path],
    fmt: str | None = None,
    progress: Progress = no_progress,
) -> IngestReport:
    """Import RDF files; a file that cannot be parsed is reported and leaves the store as
    it was, and the other files go on.

    Args:
        fmt: parser for every file (`turtle`, `nt`, `xml`, `jsonld`); by extension if None.
    """
    paths = list({Path(p).resolve(): Path(p) for p in paths}.values())  # each file once
    report = IngestReport()
    began = time.perf_counter()
    # A file's documents carry it as their source, so one read serves every file.
    by_source: dict[str, dict[str, Document]] = defaultdict(dict)
    for doc in store.documents():
        by_source[doc.source][doc.uri] = doc
    for done, path in enumerate(paths, start=1):
        stored = by_source[str(path.resolve())]
        if not path.exists() and stored:
            store.delete_documents(d.id for d in stored.values())
            report.deleted.extend(sorted(stored))
            continue
        try:
            graphs = read_rdf(path, fmt)
        except SourceError as e:
            report.failed.append(FileError(e.path, e.reason))
            continue
        changed = [
            g
            for g in graphs
            if g.document.uri not in stored
            or stored[g.document.uri].content_hash != g.document.content_hash
        ]
        found = {g.document.uri for g in graphs}
        gone = [d for uri, d in stored.items() if uri not in found]
        if changed:
            store.upsert(changed)
        if gone:
            store.delete_documents(d.id for d in gone)
        written = {g.document.uri for g in changed}
        for uri in sorted(found):
            if uri not in written:
                report.unchanged.append(uri)
            else:
                (report.updated if uri in stored else report.added).append(uri)
        report.deleted.extend(d.uri for d in gone)
        progress("import", done, len(paths))
    report.seconds["import"] = time.perf_counter() - began
    return report
