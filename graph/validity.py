"""Which documents are newer versions of which, and until when a relation held.

Two documents are versions of one when they carry the same title and each states its date
(front matter, title, first lines or file properties; a file's modification time orders
copies by chance, so it never does): last spring's "Support roster" and this summer's. The
newer one supersedes the older. A relation every one of whose documents has been superseded
by a version that no longer states it held until the latest of those versions' dates.

Titles that differ ("Board minutes 24 September 2024", "Board minutes 15 October 2024") make
a log, not versions, so minutes, incident reports and release notes never supersede each
other. This is read from the stored documents by both stores alike (the same records give
the same answer), so nothing has to be kept in step when a document is added or deleted.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from groundgraph.graph.model import Document, Relation

# Where a date comes from that orders versions: everything but the file's modification time.
UNORDERED_DATE_SOURCES = frozenset({"", "file modified"})


def _series_key(document: Document) -> str:
    return " ".join(document.title.casefold().split())


def superseded_by(documents: Iterable[Document]) -> dict[str, Document]:
    """Document id → the next newer version of that document, for each one that has one."""
    series: dict[str, list[Document]] = defaultdict(list)
    for d in documents:
        if d.effective_date and d.date_source not in UNORDERED_DATE_SOURCES and d.title.strip():
            series[_series_key(d)].append(d)
    newer: dict[str, Document] = {}
    for versions in series.values():
        ordered = sorted(versions, key=lambda d: (d.effective_date, d.uri))
        for i, older in enumerate(ordered):
            later = [d for d in ordered[i + 1 :] if d.effective_date > older.effective_date]
            if later:
                newer[older.id] = later[0]
    return newer


@dataclass(frozen=True)
class RelationValidity:
    """When a relation held, from the documents that state it.

    Attributes:
        valid_from: the earliest effective date of its documents ("" when none is dated).
        valid_until: the date from which no current document states it ("" while one does).
        superseded_by: the newer versions that no longer state it.
    """

    valid_from: str = ""
    valid_until: str = ""
    superseded_by: tuple[Document, ...] = ()


def relation_validity(
    relation: Relation,
    chunk_documents: Mapping[str, Document],
    newer: Mapping[str, Document],
) -> RelationValidity:
    """The validity of `relation`, given each evidence chunk's document and `newer`
    (`superseded_by` of the store's documents)."""
    stating = {
        chunk_documents[c].id: chunk_documents[c] for c in relation.evidence if c in chunk_documents
    }
    dates = [d.effective_date for d in stating.values() if d.effective_date]
    valid_from = min(dates, default="")
    if not stating or any(doc_id not in newer for doc_id in stating):
        return RelationValidity(valid_from)
    successors = {newer[doc_id].id: newer[doc_id] for doc_id in stating}
    replacing = tuple(d for doc_id, d in sorted(successors.items()) if doc_id not in stating)
    if not replacing:
        return RelationValidity(valid_from)
    until = max(d.effective_date for d in replacing)
    return RelationValidity(valid_from, until, replacing)
