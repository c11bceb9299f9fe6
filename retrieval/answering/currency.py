"""Which of two disagreeing statements is current: the one in the newer document.

An old memo gives the old head office address and a new memo the new one; both sentences
bind the question about as well, so the reader's ranking alone would pick either. Among the
readings bound nearly as well as the best, the one from the document with the latest
effective date is the answer; each older document that states another value is quoted
after it, with its date, so the answer says what changed and when ("Until 2 September 2024
it was 12 Harbour Street").

Only dates the documents state count here (their text or their file properties): a file's
modification time says when it was copied as often as when it was written, and files copied
together would otherwise be ordered by chance. Readings whose documents state no date, or one
date, are left in the reader's order: there is nothing to say which is newer.
"""

from dataclasses import dataclass, replace
from datetime import date

from groundgraph.ingest.dating import FILE_MODIFIED
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.evidence_units import overlapping
from groundgraph.retrieval.answering.reader import Reading
from groundgraph.retrieval.base import Answer

# Readings within this much of the best binding and fit are rival statements of one fact:
# what the words above a sentence add (a title, a heading: up to 1) does not outrank a newer
# document ("Memo: office move" over "Memo: where to find us").
RIVAL_MARGIN = 1.0


@dataclass(frozen=True)
class Statements:
    """The current reading, and the older readings that state another value (newest first,
    one per document)."""

    current: Reading
    older: tuple[Reading, ...] = ()


def newest_first(readings: list[Reading]) -> list[Reading]:
    """The readings with the current one first (see the module docstring)."""
    if not readings:
        return readings
    current = statements(readings).current
    return [current, *(r for r in readings if r is not current)]


def statements(readings: list[Reading]) -> Statements:
    """The current reading among the rivals of the best one, and the older statements of
    other values.

    The newest document's reading is current; where that document also states the best
    reading's value, that value stays (the document agrees with it and says more). An older
    document disagrees only when it states none of the current value.
    """
    best = readings[0]
    rivals = [r for r in readings if _rival(r, best) and _dated(r)]
    if not _dated(best) or len({_date(r) for r in rivals}) < 2:
        return Statements(best)
    by_document: dict[str, list[Reading]] = {}
    for r in sorted(rivals, key=_date, reverse=True):  # a stable sort: the reader's order within
        by_document.setdefault(r.sentence.chunk.document_uri, []).append(r)
    newest = next(iter(by_document.values()))
    current = next((r for r in newest if _agrees(r.value, best.value)), newest[0])
    older = tuple(
        stated[0]
        for stated in by_document.values()
        if _date(stated[0]) < _date(current)
        and not any(_agrees(r.value, current.value) for r in stated)
    )
    return Statements(current, older)


def told_over_time(answer: Answer, found: Statements) -> Answer:
    """The answer quoting the current reading first, then each older one (`answer` cites
    them in that order), rewritten to say what changed and when, with a note for each."""
    new = found.current.sentence.chunk
    since = human_day(new.document_date)
    quotes = [f"{c.text} [{c.marker}]" for c in answer.citations]
    told = [f"{quotes[0]} (dated {since})"]
    notes = []
    for reading, quote in zip(found.older, quotes[1:], strict=True):
        old = reading.sentence.chunk
        told.append(
            f"Until {since} it was {reading.value}: a document "
            f"dated {human_day(old.document_date)} says {quote}"
        )
        notes.append(
            f"{new.document_uri} (dated {new.document_date}) supersedes "
            f"{old.document_uri} (dated {old.document_date}), which gives {reading.value!r}"
        )
    return replace(answer, text=" ".join(told), notes=tuple(notes))


def human_day(iso: str) -> str:
    """'2024-09-02' as people write it: '2 September 2024'."""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _rival(reading: Reading, best: Reading) -> bool:
    return reading.binding >= best.binding - RIVAL_MARGIN and reading.fit >= best.fit - RIVAL_MARGIN


def _dated(reading: Reading) -> bool:
    chunk = reading.sentence.chunk
    return bool(chunk.document_date) and chunk.date_source != FILE_MODIFIED


def _date(reading: Reading) -> str:
    return reading.sentence.chunk.document_date


def _agrees(a: str, b: str) -> bool:
    """One value restates the other ("Harbour Street" and "12 Harbour Street")."""
    return overlapping(normalise(a), [normalise(b)])
