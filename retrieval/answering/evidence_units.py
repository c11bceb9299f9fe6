"""Evidence as units an answer is read from: a sentence, a `Label: value` line, or a table row
("Price list — Product: Dock Sensor Kit; Unit price (GBP): 1,150"), each with the normalised
text, context and word stems that binding a question to it compares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from groundgraph.ingest.resolution import normalise
from groundgraph.ingest.structure import row_cells
from groundgraph.retrieval.answering.evidence import EvidenceSentence
from groundgraph.retrieval.questions.stems import stems


@dataclass(frozen=True)
class Unit:
    """One statement of the evidence: a sentence, or a row's or label line's cells."""

    sentence: EvidenceSentence
    cells: tuple[tuple[str, str], ...]
    text: str  # normalised resolved text
    above: str  # normalised context: section, title, heading lines
    document: str  # normalised text of every retrieved unit of its document
    stems: frozenset[str]  # word stems of the unit (and its columns' names)
    above_stems: frozenset[str]
    document_stems: frozenset[str]


def units_of(sentences: Sequence[EvidenceSentence]) -> list[Unit]:
    """The readable units of the evidence (headings and instructions excluded)."""
    documents: dict[str, list[str]] = {}
    for s in sentences:
        # a table row speaks only for itself; a `Date: 3 February 2025` line for its document
        prose = len(cells_of(s.text)) < 2
        documents.setdefault(s.chunk.document_uri, []).append(
            normalise(s.resolved) if prose else ""
        )
    document_text = {uri: " ".join(parts) for uri, parts in documents.items()}
    document_stems = {uri: stems(text) for uri, text in document_text.items()}
    units = []
    for s in sentences:
        if s.instruction:
            continue
        cells = () if s.heading else cells_of(s.text)
        uri = s.chunk.document_uri
        units.append(
            Unit(
                s,
                cells,
                f" {normalise(s.resolved)} ",
                f" {normalise(s.context)} ",
                f" {document_text[uri]} ",
                stems(s.resolved) | stems(" ".join(name for name, _ in cells)),
                stems(s.context),
                document_stems[uri],
            )
        )
    return units


def cells_of(text: str) -> tuple[tuple[str, str], ...]:
    """A table row's (column, value) cells, or a short `Label: value` line's one cell."""
    return tuple((c.column, c.value) for c in row_cells(text))


def overlapping(key: str, said: list[str]) -> bool:
    """A name that is, or contains, or is part of one already said."""
    padded = f" {key} "
    return not key or any(s and (padded in f" {s} " or f" {s} " in padded) for s in said)
