"""Turning one parsed document into the `DocumentGraph` a store writes."""

import re
from bisect import bisect_left, bisect_right
from collections import Counter

from groundgraph.graph import ids
from groundgraph.graph.model import Chunk, Document, DocumentGraph, Evidence, Mention
from groundgraph.ingest.base import (
    CO_OCCURRENCE,
    EntitySpan,
    Extraction,
    SourceDocument,
)
from groundgraph.ingest.chunking import Unit, region_chunk_spans
from groundgraph.ingest.dating import effective_date
from groundgraph.ingest.resolution import normalise, resolve
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import Region

# The label of a title entity that no named-entity mention in the document types otherwise.
TITLE_LABEL = "TOPIC"


_DISAMBIGUATION = re.compile(r"\s*\([^()]*\)\s*$")


def title_subject(title: str) -> str:
    """The name a title gives its subject, without a trailing disambiguation:
    "David Bradley (director)" is about "David Bradley"."""
    return _DISAMBIGUATION.sub("", title).strip() or title


def document_record(source: SourceDocument) -> Document:
    """The document's identity: an id from its URI and a hash of its title, text and
    metadata (none for plain text, so their hashes stay what they were before metadata),
    and its effective date. A file's modification time is not hashed: touching a file
    changes nothing stored."""
    metadata = (source.author, source.created, source.modified, source.encoding)
    hashed = f"{source.title}\n{source.text}"
    if any(metadata):
        hashed += "\n" + "\n".join(metadata)
    effective, date_source = effective_date(
        source.text, source.title, source.created, source.modified, source.file_modified
    )
    return Document(
        id=ids.document_id(source.uri),
        uri=source.uri,
        title=source.title,
        source=source.source,
        content_hash=ids.content_hash(hashed),
        author=source.author,
        created=source.created,
        modified=source.modified,
        encoding=source.encoding,
        effective_date=effective,
        date_source=date_source,
    )


def make_chunks(
    doc_id: str,
    text: str,
    units: list[Unit],
    settings: IngestSettings,
    regions: tuple[Region, ...] = (),
) -> list[Chunk]:
    """Chunks of runs of whole sentence units within each region, with ids from their text
    and the region's section and location."""
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    spans = region_chunk_spans(
        units, [r.start for r in regions], settings.chunk_size, settings.chunk_overlap
    )
    for ordinal, (start, end, region) in enumerate(spans):
        piece = text[start:end]
        text_hash = ids.content_hash(piece)
        chunk_id = ids.chunk_id(doc_id, text_hash, seen[text_hash])
        seen[text_hash] += 1
        place = regions[region] if region >= 0 else Region(0)
        chunks.append(
            Chunk(
                chunk_id,
                doc_id,
                ordinal,
                piece,
                start,
                end,
                text_hash,
                place.section,
                place.location,
            )
        )
    return chunks


class _ChunkLocator:
    """Finds the chunks that wholly contain a character span (overlaps give several).

    Chunks come in document order, their starts and their ends both increasing, so those
    that contain a span are one run found by two bisections: a scan of every earlier chunk
    per span made a 20 MB document's 35,000 chunks quadratic.
    """

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.starts = [c.start for c in chunks]
        self.ends = [c.end for c in chunks]

    def containing(self, start: int, end: int) -> list[str]:
        first = bisect_left(self.ends, end)
        last = bisect_right(self.starts, start)
        return [c.id for c in self.chunks[first:last]]


def relation_ends(src: str, predicate: str, dst: str) -> tuple[str, str, str] | None:
    """(relation id, source, target) of a relation between two entities, or None for an
    entity related to itself; co-occurrence has no direction, so one relation per pair."""
    if src == dst:
        return None
    if predicate == CO_OCCURRENCE and dst < src:
        src, dst = dst, src
    return ids.relation_id(src, predicate, dst), src, dst


def build_document_graph(
    source: SourceDocument,
    units: list[Unit],
    extraction: Extraction,
    settings: IngestSettings,
    kept_apart: frozenset[tuple[str, str]] = frozenset(),
) -> DocumentGraph:
    """Chunks, resolved mentions and relation evidence of one document, from its sentence
    units and what the extractor found in it; `kept_apart` are the names a person split."""
    document = document_record(source)
    chunks = make_chunks(document.id, source.text, units, settings, source.regions)
    locate = _ChunkLocator(chunks)
    subject_name = title_subject(source.title)
    subject = settings.title_entities and source.named_title and bool(normalise(subject_name))
    spans = [*extraction.entities]
    if subject:
        spans.append(EntitySpan(0, 0, subject_name, TITLE_LABEL))
    resolved = resolve(spans, kept_apart)
    entity_ids = [ids.entity_id(r.key) for r in resolved]
    mentions = [
        Mention(chunk_id, entity_ids[i], r.surface, r.name, r.type, merged_by=r.rule)
        for i, (span, r) in enumerate(zip(extraction.entities, resolved, strict=False))
        for chunk_id in locate.containing(span.start, span.end)
    ]
    if subject:
        title = resolved[-1]
        mentions += [
            Mention(c.id, entity_ids[-1], title.surface, title.name, title.type, 1, title.rule)
            for c in chunks
        ]
    evidence: list[Evidence] = []
    for rel in extraction.relations:
        ends = relation_ends(entity_ids[rel.source], rel.predicate, entity_ids[rel.target])
        if ends is None:
            continue
        pair = (extraction.entities[rel.source], extraction.entities[rel.target])
        start, end = min(s.start for s in pair), max(s.end for s in pair)
        evidence.extend(
            Evidence(*ends, rel.predicate, chunk_id, rel.weight)
            for chunk_id in locate.containing(start, end)
        )
    return DocumentGraph(document, tuple(chunks), tuple(mentions), tuple(evidence))
