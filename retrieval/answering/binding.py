"""Whether a unit of evidence binds a question: states its names, dates and relation.

Every name and date the question gives must be stated in the unit, above it (its section,
its document's title, the heading lines over it) or, for prose, elsewhere in its document;
a word of the asked relation in the unit or above it. How firmly it does so ranks the
readings (`reader.py`)."""

from __future__ import annotations

import math
import re

from groundgraph.ingest.dates import DateParts, agrees, dates_in
from groundgraph.ingest.resolution import normalise
from groundgraph.ingest.structure import SECTION_SEPARATOR
from groundgraph.retrieval.answering.attribution import demonyms_of
from groundgraph.retrieval.answering.evidence_units import Unit
from groundgraph.retrieval.answering.lifespans import (
    BIRTH_WORDS,
    DEATH_WORDS,
    opening_lifespan,
    stated_by_range,
)
from groundgraph.retrieval.questions.kinds import NATIONALITY
from groundgraph.retrieval.questions.stems import stems
from groundgraph.retrieval.questions.terms import QuestionTerms, related

# Share of the relation's words a unit must state when the question gives no name or date.
ANCHORLESS_COVERAGE = 0.5
# Headings that title a part of a report rather than a thing it is about.
_GENERIC_HEADINGS = frozenset(
    {
        "summary",
        "cause",
        "causes",
        "root cause",
        "response",
        "actions",
        "action items",
        "background",
        "introduction",
        "overview",
        "decisions",
        "details",
        "timeline",
        "impact",
        "notes",
        "next steps",
        "resolution",
        "follow up",
        "follow-up",
        "new",
        "fixed",
        "deprecated",
        "description",
        "scope",
        "purpose",
        "results",
        "discussion",
        "attendees",
    }
)
# How strongly a term is stated: in the unit itself, above it, elsewhere in its document.
IN_UNIT, ABOVE, IN_DOCUMENT = 2.0, 1.0, 0.5
CAUSE = re.compile(
    r"\b(?:caused by|because of|because|due to|as a result of|owing to|the cause (?:was|is)|"
    r"root cause (?:was|is)|resulted from|led to by)\s+(?P<cause>[^.;]+)",
    re.IGNORECASE,
)


# Headings of the part of a report that gives the cause: each sentence under one states it.
_CAUSE_HEADINGS = frozenset({"cause", "causes", "root cause", "root causes", "why it happened"})


def stated_cause(unit: Unit) -> str | None:
    """What the unit states as a cause: the phrase after "caused by", "because", ...; or,
    under a "Root cause" heading, the sentence itself ("A configuration change lowered the
    connection pool ..."); None when it states none."""
    text = unit.sentence.text
    match = CAUSE.search(text)
    if match:
        return match["cause"].strip()
    return text.strip().rstrip(".") if _under_cause_heading(unit) else None


def cause_of_another(terms: QuestionTerms, unit: Unit) -> bool:
    """The unit's "because" gives the cause of something the question does not ask about:
    "Its temperature alarm did not sound because the alarm's battery was flat" says why the
    alarm was silent, not why the fridge warmed up."""
    match = CAUSE.search(unit.sentence.text)
    if match is None:
        return False
    effect = stems(unit.sentence.text[: match.start()])
    asked = set().union(*word_stems(terms.words), *(stems(n) for n in terms.names))
    # "The stoppage was caused by ...": one word for the event itself is no other effect
    return len(effect) > 1 and not effect & asked


def _under_cause_heading(unit: Unit) -> bool:
    section = unit.sentence.chunk.chunk.section
    heading = section.rsplit(SECTION_SEPARATOR, 1)[-1] if section else ""
    return normalise(heading) in _CAUSE_HEADINGS and not unit.cells


def stated_level(key: str, unit: Unit) -> float | None:
    padded = f" {key} "
    if padded in unit.text:
        return IN_UNIT
    if padded in unit.above:
        return ABOVE
    if padded in unit.document:
        return IN_DOCUMENT
    return None


def _date_level(asked: DateParts, unit: Unit) -> float | None:
    for level, text in (
        (IN_UNIT, unit.sentence.text),
        (ABOVE, unit.sentence.context),
        (IN_DOCUMENT, unit.document),
    ):
        if any(agrees(asked, d) for d in dates_in(text)):
            return level
    return None


def word_weights(words: list[frozenset[str]], units: list[Unit]) -> list[float]:
    """Each relation word's weight: how few of the evidence's units state it (an inverse
    document frequency), so "chaired" in "Who chaired the board meeting?" counts for more
    than "meeting", which every line of the minutes says."""
    total = len(units) + 1
    return [
        math.log(1 + total / (1 + sum(bool(w & (u.stems | u.above_stems)) for u in units)))
        for w in words
    ]


def bind(
    terms: QuestionTerms, unit: Unit, generic: frozenset[str], weights: list[float]
) -> float | None:
    """How firmly the unit states the question's names, dates and relation; None when it
    misses one of them. Every name and date must be stated in the unit, above it or in its
    document; a word of the relation in the unit or above it (in the document only when a
    name or date is in the unit itself)."""
    levels: list[float] = []
    keys = [k for k in (normalise(n) for n in terms.names) if k]
    # A name most documents mention may go unstated, but only beside another name or a date
    # of the question: "Who heads X?" is not answered about something else when X is common.
    if terms.dates or any(k not in generic for k in keys):
        keys = [k for k in keys if k not in generic]
    for key in keys:
        level = stated_level(key, unit)
        if level is None or (level == IN_DOCUMENT and _about_someone_else(unit, keys)):
            return None
        levels.append(level)
    dated = False
    for asked in terms.dates:
        level = _date_level(asked, unit)
        if level is None:
            return None
        levels.append(level)
        dated = dated or level == IN_UNIT
    if terms.causal and stated_cause(unit) is None:
        return None
    words = word_stems(terms.words)
    coverage = _relation_coverage(terms, unit, words, weights)
    above = word_coverage(words, unit.above_stems, weights)
    scope = _relation_scope(unit, coverage)
    stated = word_coverage(words, scope, [1.0] * len(words))
    anchored = bool(levels) and max(levels) == IN_UNIT
    # A sentence that gives the asked date may leave the relation to its neighbours: "On 5
    # November 2024 the Billing Engine was unavailable ... card payments failed."
    in_document = dated and word_coverage(words, unit.document_stems, weights) > 0
    if not levels and (
        stated < ANCHORLESS_COVERAGE or not all(n & scope for n in word_stems(terms.nouns))
    ):
        # with no name or date to hold on to, most of the relation must be said, and every
        # thing it names: "Chair: Tom Avery" of the operations meeting chaired no board meeting
        return None
    if (
        levels
        and max(levels) == IN_DOCUMENT
        and (_section_names_another(unit) or _about_its_subject(unit))
    ):
        return None
    # Two names or dates of the question stated in the unit pin it down without a verb:
    # "Who won the 1935 Nobel Prize?" and "... shared the Nobel Prize ... for 1935".
    pinned = sum(level == IN_UNIT for level in levels) >= 2
    # A compared item's own statement of the compared kind answers for it: "Aas Ka Panchhi
    # is a 1961 Hindi movie" dates the film however the question says "released".
    pinned = pinned or (bool(terms.compare) and anchored)
    if words and coverage == 0 and above == 0 and not (in_document or pinned):
        return None
    if levels and not anchored and coverage == 0:
        return None
    if len(unit.cells) > 1 and levels and min(levels) < ABOVE:
        return None  # a row's key is in the row or its table's title, not in another row
    names = sum(levels) / len(levels) if levels else IN_UNIT
    return names + 2 * coverage + above


def _relation_scope(unit: Unit, coverage: float) -> frozenset[str]:
    """Where an anchorless question's relation may be stated: the unit and above it; for a
    `Driver: Neil Garside` line whose label is a word of the relation, its whole report too
    ("Who was driving the van when it hit the bollard?")."""
    scope = unit.stems | unit.above_stems
    return scope | unit.document_stems if len(unit.cells) == 1 and coverage > 0 else scope


def _about_someone_else(unit: Unit, keys: list[str]) -> bool:
    """The sentence is about a "he" or "she" that stands for none of the question's names
    (left unresolved, or resolved to someone else), while a name of the question is only
    elsewhere in the document: "He joined Pellworth Labs in 2019" under Tomasz Wojcik's
    section says nothing of when Joel Mercer joined."""
    span = unit.sentence.span
    if span is None or normalise(unit.sentence.pronoun_person) in keys:
        return False
    return any(t.lower_ in ("he", "she") and t.dep_ in ("nsubj", "nsubjpass") for t in span)


def _section_names_another(unit: Unit) -> bool:
    """The unit's section is titled by a name ("## Customer Services"): a name found only
    elsewhere in its document is about another section's subject, not this one's."""
    section = unit.sentence.chunk.chunk.section
    heading = section.rsplit(SECTION_SEPARATOR, 1)[-1].strip() if section else ""
    words = heading.split()
    if not words or heading.lower() in _GENERIC_HEADINGS:
        return False
    return all(w[:1].isupper() for w in words if w.isalpha())


def _relation_coverage(
    terms: QuestionTerms, unit: Unit, words: list[frozenset[str]], weights: list[float]
) -> float:
    """Weighted share of the relation's words the unit states; all of them when it opens
    with the asked person's life range ("X (May 10, 1890 – August 17, 1987) was ..." states
    when X was born and died), describes them by their nationality ("X was an American
    film director" states what nationality X is, without the word) or stands under a "Root
    cause" heading."""
    if _lifespan_asked(terms, unit) or _nationality_stated(terms, unit):
        return 1.0
    if terms.causal and _under_cause_heading(unit):
        return 1.0  # the heading says what the sentence is: the cause
    return word_coverage(words, unit.stems, weights)


def _lifespan_asked(terms: QuestionTerms, unit: Unit) -> bool:
    """The question asks when or where someone was born or died, and the unit opens with
    their name and a range of their life that states it."""
    asked = {w for word in terms.words for w in related(word)}
    place = bool(terms.kinds & {"GPE", "LOC"})
    if not ("DATE" in terms.kinds or place) or not asked & (BIRTH_WORDS | DEATH_WORDS):
        return False
    match = opening_lifespan(unit.sentence.text, terms.names)
    return match is not None and bool(stated_by_range(match, asked, "DATE" not in terms.kinds))


def _nationality_stated(terms: QuestionTerms, unit: Unit) -> bool:
    """The question asks someone's nationality or country, and the unit says it of them: a
    nationality word in a clause about them or in a noun phrase of theirs."""
    span = unit.sentence.span
    if terms.kinds != NATIONALITY or not terms.names or span is None:
        return False
    return bool(demonyms_of(span, unit.sentence.entities, terms.names))


def _about_its_subject(unit: Unit) -> bool:
    """The unit's pronoun stands for its document's subject ("She died in Trondheim" on Anne
    Holt's page): what it states is about that subject, not about a name found elsewhere in
    the document."""
    return unit.sentence.resolved != unit.sentence.text


def word_stems(words: frozenset[str]) -> list[frozenset[str]]:
    """Each relation word as the stems of its family, with the nouns for who does it ("drive"
    is said by "Driver: Neil Garside", "report" by "Reporter")."""
    return [
        frozenset(stems(" ".join(f"{r} {_doer(r)}" for r in related(w)))) for w in sorted(words)
    ]


def _doer(verb: str) -> str:
    return f"{verb}r" if verb.endswith("e") else f"{verb}er"


def word_coverage(
    words: list[frozenset[str]], found: frozenset[str], weights: list[float]
) -> float:
    """Weighted share of the relation words stated (any word of a word's family counts)."""
    if not words:
        return 0.0
    said = sum(weight for w, weight in zip(words, weights, strict=True) if w & found)
    return said / sum(weights)
