"""Sentence-aware chunking over spaCy's sentences, keeping character offsets.

A chunk is a run of whole sentences of about `size` spaCy tokens; the next chunk repeats
the last sentences of up to `overlap` tokens, so a fact that straddles a boundary is whole
in one of them. A sentence longer than `size` is cut at token boundaries. A chunk never
straddles a region of the document (a section, a table, a page, a slide, a sheet): each
region is chunked on its own.
"""

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from groundgraph.ingest.base import ParsedText


@dataclass(frozen=True)
class Unit:
    """A sentence (or a piece of a long one): document offsets and spaCy token count."""

    start: int
    end: int
    tokens: int


def sentence_units(parsed: ParsedText, size: int) -> Iterator[Unit]:
    """The document's sentences as units of at most `size` tokens (any size when 0)."""
    for block in parsed.blocks:
        for sent in block.doc.sents:
            words = [t for t in sent if not t.is_space]
            if not words:
                continue
            step = size or len(words)
            for i in range(0, len(words), step):
                piece = words[i : i + step]
                yield Unit(
                    block.offset + piece[0].idx,
                    block.offset + piece[-1].idx + len(piece[-1].text),
                    len(piece),
                )


def chunk_spans(units: list[Unit], size: int, overlap: int) -> list[tuple[int, int]]:
    """Group sentence units into (start, end) chunk spans of about `size` tokens."""
    if not units:
        return []
    if size == 0:
        return [(units[0].start, units[-1].end)]
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last, tokens = first, units[first].tokens
        while last + 1 < len(units) and tokens + units[last + 1].tokens <= size:
            last += 1
            tokens += units[last].tokens
        spans.append((units[first].start, units[last].end))
        if last + 1 >= len(units):
            break
        first = _overlap_start(units, first, last, overlap)
    return spans


def region_chunk_spans(
    units: list[Unit], region_starts: list[int], size: int, overlap: int
) -> list[tuple[int, int, int]]:
    """`chunk_spans` region by region: (start, end, region index), the index -1 for text
    before the first region. With `size` 0 the document stays one chunk."""
    if size == 0 or not region_starts:
        first = bisect_right(region_starts, units[0].start) - 1 if units else -1
        return [(start, end, first) for start, end in chunk_spans(units, size, overlap)]
    spans: list[tuple[int, int, int]] = []
    group: list[Unit] = []
    region = -1
    for unit in units:
        here = bisect_right(region_starts, unit.start) - 1
        if here != region and group:
            spans += [(s, e, region) for s, e in chunk_spans(group, size, overlap)]
            group = []
        region = here
        group.append(unit)
    spans += [(s, e, region) for s, e in chunk_spans(group, size, overlap)]
    return spans


def _overlap_start(units: list[Unit], first: int, last: int, overlap: int) -> int:
    """First unit of the next chunk: the tail of this one that fits in `overlap` tokens,
    never the whole chunk again, so chunking always moves forward."""
    start, tokens = last + 1, 0
    while start - 1 > first and tokens + units[start - 1].tokens <= overlap:
        start -= 1
        tokens += units[start].tokens
    return start
