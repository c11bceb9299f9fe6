"""Reading an answer out of evidence: a value of the asked kind, stated with the question's
terms.

Evidence comes in units: a sentence, a `Label: value` line, or a table row ("Price list —
Product: Dock Sensor Kit; Unit price (GBP): 1,150"). A unit *binds* a question when every
specific name and date the question gives is stated in it, above it (its section, its
document's title, the heading lines over it) or, more weakly, elsewhere in its chunk, and a
word of the asked relation is stated there too. Within a bound unit the value is:

- in a table row, the cell whose column names the asked attribute ("cost" → "Unit price"),
  of a row whose key cell is a name the question gives;
- in a sentence, the span of the asked kind (a person, a date, an amount, a named thing)
  governed by a word of the asked relation, or followed by one ("£60 abroad");
- for "why" questions, what a causal phrase states ("caused by ...", "because ...").

Units that bind nothing are never read, so an answer is never a value that merely occurs
near the question's words; when no unit binds, there is no answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groundgraph.ingest.resolution import normalise
from groundgraph.ingest.structure import SECTION_SEPARATOR, row_cells
from groundgraph.retrieval.dates import DateParts, agrees, dates_in
from groundgraph.retrieval.evidence import EvidenceSentence
from groundgraph.retrieval.question_terms import ANY, NAMED, QuestionTerms, related
from groundgraph.retrieval.stems import stems

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_RANGE = re.compile(
    r"\((?:[^()]*?;\s*)?(?P<born>[^()–;]*?\d{4})\s*[–-]\s*(?P<died>[^()–;]*?\d{4})\)"
)
# A date range after a name states its birth and death more surely than any other date near.
_LIFESPAN_FIT = 4.0
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
_CAUSE = re.compile(
    r"\b(?:caused by|because of|because|due to|as a result of|owing to|the cause (?:was|is)|"
    r"root cause (?:was|is)|resulted from|led to by)\s+(?P<cause>[^.;]+)",
    re.IGNORECASE,
)
_LOCATIVE = frozenset({"in", "at", "near"})
_NOT_PLACES = frozenset({"DATE", "TIME", "MONEY", "CARDINAL", "QUANTITY", "PERCENT", "ORDINAL"})
_NOT_PEOPLE = frozenset({"GPE", "LOC", "DATE", "TIME", "MONEY", "CARDINAL", "QUANTITY"})
_MISLABELLED_PEOPLE = frozenset({"WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "FAC"})
# "Which engineer ...": a named thing that is a person.
_PERSON_NOUNS = frozenset(
    {
        "person",
        "engineer",
        "manager",
        "employee",
        "member",
        "lead",
        "leader",
        "director",
        "officer",
        "author",
        "writer",
        "founder",
        "explorer",
        "scientist",
        "artist",
        "player",
    }
)
# "28 days", "7 years": spaCy's DATE entities that are amounts of time.
_DURATION = re.compile(r"\d.*\b(second|minute|hour|day|week|month|year)s?\b", re.IGNORECASE)
_NUMERIC = frozenset({"MONEY", "QUANTITY", "CARDINAL", "PERCENT"})
_NAME_LABELS = frozenset(
    {"PERSON", "ORG", "PRODUCT", "GPE", "LOC", "FAC", "NORP", "WORK_OF_ART", "EVENT", "LAW"}
)
_AMOUNT = re.compile(r"[£$€¥]\s?\d[\d,.]*\s?(?:million|billion|m|bn|k)?|\b\d[\d,.]*\s?(?:p|%)\B")
_CODE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])\w+(?:-\w+)+\b")


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


@dataclass(frozen=True)
class Reading:
    """A value read from a unit, with how well the unit binds the question."""

    unit: Unit
    value: str
    binding: float
    fit: float

    @property
    def sentence(self) -> EvidenceSentence:
        return self.unit.sentence


def units_of(sentences: Sequence[EvidenceSentence]) -> list[Unit]:
    """The readable units of the evidence (headings and instructions excluded)."""
    documents: dict[str, list[str]] = {}
    for s in sentences:
        prose = not cells_of(s.text)  # a table row speaks only for itself
        documents.setdefault(s.chunk.document_uri, []).append(
            normalise(s.resolved) if prose else ""
        )
    document_text = {uri: " ".join(parts) for uri, parts in documents.items()}
    document_stems = {uri: stems(text) for uri, text in document_text.items()}
    units = []
    for s in sentences:
        if s.heading or s.instruction:
            continue
        cells = cells_of(s.text)
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


def read(terms: QuestionTerms, units: Iterable[Unit], generic: frozenset[str]) -> list[Reading]:
    """Every value the units state for the question, best bound first."""
    units = list(units)
    weights = _word_weights(_word_stems(terms.words), units)
    readings = []
    for unit in units:
        binding = _binding(terms, unit, generic, weights)
        if binding is None:
            continue
        loose = _loose(terms, unit, generic)
        # A unit that states the relation must give the value in it; one bound by its date
        # while a neighbour states the relation cannot.
        in_relation = _coverage(_word_stems(terms.words), unit.stems, weights) > 0
        for value, fit in _values(terms, unit, in_relation):
            if loose and _names_another(unit, terms, value):
                continue
            readings.append(Reading(unit, value, binding, fit))
    return sorted(readings, key=_rank)


def _loose(terms: QuestionTerms, unit: Unit, generic: frozenset[str]) -> bool:
    """A name of the question is stated only elsewhere in the unit's document."""
    return any(
        _level(normalise(n), unit) == IN_DOCUMENT
        for n in terms.names
        if normalise(n) and normalise(n) not in generic
    )


def _names_another(unit: Unit, terms: QuestionTerms, value: str) -> bool:
    """The unit names a thing that is neither the value nor one the question names: its
    value is about that thing ("... a budget of £95,000 for the Dunmore depot"), not the
    one the question names elsewhere in the document."""
    span = unit.sentence.span
    if span is None:
        return False
    said = [normalise(n) for n in (*terms.names, value)]
    return any(
        ent.label_ in _NAME_LABELS and not _overlapping(normalise(ent.text), said)
        for ent in span.ents
    )


def _overlapping(key: str, said: list[str]) -> bool:
    """A name that is, or contains, or is part of one already said."""
    padded = f" {key} "
    return not key or any(s and (padded in f" {s} " or f" {s} " in padded) for s in said)


def _rank(r: Reading) -> tuple[float, float, float, str, int]:
    """Best binding, then the best fit of the value, then retrieval's order, then a stable key:
    precision noise in a score never decides between two readings (scores are compared at two
    decimals, and ties fall to the document and position)."""
    return (
        -round(r.binding, 2),
        -round(r.fit, 2),
        -round(r.sentence.chunk.score, 2),
        r.sentence.chunk.document_uri,
        r.sentence.start,
    )


# -- binding ------------------------------------------------------------------------------


def _level(key: str, unit: Unit) -> float | None:
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


def _word_weights(words: list[frozenset[str]], units: list[Unit]) -> list[float]:
    """Each relation word's weight: how few of the evidence's units state it (an inverse
    document frequency), so "chaired" in "Who chaired the board meeting?" counts for more
    than "meeting", which every line of the minutes says."""
    total = len(units) + 1
    return [
        math.log(1 + total / (1 + sum(bool(w & (u.stems | u.above_stems)) for u in units)))
        for w in words
    ]


def _binding(
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
        level = _level(key, unit)
        if level is None:
            return None
        levels.append(level)
    dated = False
    for asked in terms.dates:
        level = _date_level(asked, unit)
        if level is None:
            return None
        levels.append(level)
        dated = dated or level == IN_UNIT
    if terms.causal and not _CAUSE.search(unit.sentence.text):
        return None
    words = _word_stems(terms.words)
    coverage = _coverage(words, unit.stems, weights)
    above = _coverage(words, unit.above_stems, weights)
    stated = _coverage(words, unit.stems | unit.above_stems, [1.0] * len(words))
    anchored = bool(levels) and max(levels) == IN_UNIT
    # A sentence that gives the asked date may leave the relation to its neighbours: "On 5
    # November 2024 the Billing Engine was unavailable ... card payments failed."
    in_document = dated and _coverage(words, unit.document_stems, weights) > 0
    if not levels and stated < ANCHORLESS_COVERAGE:
        return None  # with no name or date to hold on to, most of the relation must be said
    if levels and max(levels) == IN_DOCUMENT and _section_names_another(unit):
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
    if unit.cells and levels and min(levels) < ABOVE:
        return None  # a row's key is in the row or its table's title, not in another row
    names = sum(levels) / len(levels) if levels else IN_UNIT
    return names + 2 * coverage + above


def _section_names_another(unit: Unit) -> bool:
    """The unit's section is titled by a name ("## Customer Services"): a name found only
    elsewhere in its document is about another section's subject, not this one's."""
    section = unit.sentence.chunk.chunk.section
    heading = section.rsplit(SECTION_SEPARATOR, 1)[-1].strip() if section else ""
    words = heading.split()
    if not words or heading.lower() in _GENERIC_HEADINGS:
        return False
    return all(w[:1].isupper() for w in words if w.isalpha())


def _word_stems(words: frozenset[str]) -> list[frozenset[str]]:
    """Each relation word as the stems of its family."""
    return [frozenset(stems(" ".join(related(w)))) for w in sorted(words)]


def _coverage(words: list[frozenset[str]], found: frozenset[str], weights: list[float]) -> float:
    """Weighted share of the relation words stated (any word of a word's family counts)."""
    if not words:
        return 0.0
    said = sum(weight for w, weight in zip(words, weights, strict=True) if w & found)
    return said / sum(weights)


# -- values -------------------------------------------------------------------------------


def _values(terms: QuestionTerms, unit: Unit, in_relation: bool) -> list[tuple[str, float]]:
    if terms.causal:
        match = _CAUSE.search(unit.sentence.text)
        return [(match["cause"].strip(), 1.0)] if match else []
    if unit.cells:
        return _cell_values(terms, unit)
    return _span_values(terms, unit, in_relation)


def _cell_values(terms: QuestionTerms, unit: Unit) -> list[tuple[str, float]]:
    """Cells of the asked kind in a row keyed by the question (a cell that is a name, a date
    or a word the question gives); fit is the share of the column's name that names the asked
    attribute, and a column that names none of it is not read."""
    keys = {normalise(n) for n in terms.names}
    asked_stems = stems(" ".join(terms.words | {terms.head}))
    keyed = [
        i
        for i, (_, value) in enumerate(unit.cells)
        if _matches_name(normalise(value), keys)
        or any(agrees(d, v) for d in terms.dates for v in dates_in(value))
        or _named_by_words(value, asked_stems)
    ]
    by_words = any(_named_by_words(unit.cells[i][1], asked_stems) for i in keyed)
    if not keyed and len(unit.cells) > 1:
        return []
    attribute = frozenset(stems(" ".join(w for word in terms.words for w in related(word))))
    attribute |= stems(terms.head)
    labels = _cell_labels(unit)
    found = []
    for i, (name, value) in enumerate(unit.cells):
        if i in keyed or not value or not _cell_fits(value, terms, labels.get(normalise(value))):
            continue
        column = stems(name)
        fit = len(column & attribute) / max(len(column), 1)
        if fit > 0:
            found.append((value, 1.0 + fit))
        elif by_words or not attribute:
            # "What is the standing charge?", "Who is the Treasurer?": the row's key is the
            # asked thing itself, so its value needs no column named by the question
            found.append((value, 0.5))
    return found


def _cell_labels(unit: Unit) -> dict[str, str]:
    """The recogniser's label of each cell that is one entity."""
    span = unit.sentence.span
    return {normalise(e.text): e.label_ for e in span.ents} if span is not None else {}


def _named_by_words(value: str, asked: frozenset[str]) -> bool:
    """A cell that the question's words name: most of its words are among them ("Evening
    meal" in "the limit for an evening meal")."""
    words = stems(value)
    return (
        bool(words) and not any(c.isdigit() for c in value) and 2 * len(words & asked) >= len(words)
    )


def _matches_name(value: str, keys: set[str]) -> bool:
    return any(k and (value == k or f" {k} " in f" {value} ") for k in keys)


def _cell_fits(value: str, terms: QuestionTerms, label: str | None = None) -> bool:
    """Whether a cell holds a value of the asked kind; `label` is the recogniser's, where
    the cell is one entity (a person is not a cell it calls a place or a date)."""
    kinds = terms.kinds
    if ANY in kinds:
        return True
    if "PERSON" in kinds and label in _NOT_PEOPLE:
        return False
    has_digit = any(c.isdigit() for c in value)
    if "DATE" in kinds and dates_in(value):
        return True
    if kinds & _NUMERIC and has_digit:
        return True
    if NAMED in kinds:
        return not value.replace(",", "").replace(".", "").isdigit()
    if "PERSON" in kinds:
        return not has_digit and any(w[:1].isupper() for w in value.split())
    return bool(kinds & _NAME_LABELS) and not has_digit


def _span_values(terms: QuestionTerms, unit: Unit, in_relation: bool) -> list[tuple[str, float]]:
    """Spans of the asked kind in a sentence, each with its fit: a word of the asked relation
    governs it (+2), follows it before the next candidate (+1), or its label is preferred."""
    span = unit.sentence.span
    if span is None:
        return []
    asked = [normalise(n) for n in terms.names]
    candidates = [
        c for c in _candidates(terms, span) if not _overlapping(normalise(c[0].text), asked)
    ]
    candidates = [c for c in candidates if not _is_asked_date(c[0].text, terms)]
    words = set(stems(" ".join(w for word in terms.words for w in related(word))))
    found = []
    ordered = sorted(candidates, key=lambda c: c[0].start)
    for n, (cand, label) in enumerate(ordered):
        following_end = ordered[n + 1][0].start if n + 1 < len(ordered) else span.end
        following = {_stem(t) for t in span.doc[cand.end : following_end]}
        fit = 2.0 * _governed(cand, words) + len(following & words) + _in_clause(cand, words)
        if fit == 0 and in_relation:
            continue  # stated in the sentence, but not in the asked relation's clause
        fit += 1.0 if label in terms.prefer else 0.0
        found.append((cand.text.strip(), fit))
    return _lifespan(terms, unit.sentence.text) + found


def _lifespan(terms: QuestionTerms, text: str) -> list[tuple[str, float]]:
    """Birth and death dates written as a range after a name: "Gideon Pillow (June 8, 1806
    – October 8, 1878) was ..." is born on the first and died on the second."""
    match = _RANGE.search(text)
    if match is None or "DATE" not in terms.kinds:
        return []
    asked = {w for word in terms.words for w in related(word)}
    found = []
    if asked & {"bear", "born", "birth"}:
        found.append((match["born"].strip(), _LIFESPAN_FIT))
    if asked & {"die", "death", "dead"}:
        found.append((match["died"].strip(), _LIFESPAN_FIT))
    return found


def _is_asked_date(text: str, terms: QuestionTerms) -> bool:
    return any(agrees(a, d) and agrees(d, a) for a in terms.dates for d in dates_in(text))


def _stem(token: Token) -> str:
    return next(iter(stems(token.lemma_)), "")


def _in_clause(cand: Span, words: set[str]) -> float:
    """1 when a word of the asked relation is in the candidate's clause (the words under the
    same nearest verb): "The daily meal allowance is £45" binds £45 to the allowance."""
    head = _clause_head(cand.root)
    return float(any(_stem(t) in words for t in head.subtree if _clause_head(t) == head))


def _clause_head(token: Token) -> Token:
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    return token


def _governed(cand: Span, words: set[str]) -> bool:
    """A word of the asked relation among the candidate's three nearest governors."""
    token: Token = cand.root
    for _ in range(3):
        if token.head.i == token.i:
            return False
        token = token.head
        if _stem(token) in words:
            return True
    return False


def _candidates(terms: QuestionTerms, span: Span) -> list[tuple[Span, str]]:
    """Spans of the asked kinds: entities, amounts, codes and, for "which X", noun phrases
    headed by X that carry a name or a code."""
    kinds = terms.kinds
    out: list[tuple[Span, str]] = []
    things = _NAME_LABELS - ({"PERSON"} if terms.head not in _PERSON_NOUNS else set())
    asked = [normalise(n) for n in terms.names]
    # An entity that runs a name of the question into another ("Pellford is Ansel Varga")
    # is no candidate; the capitalised runs in it still are.
    ents = [e for e in span.ents if not _swallows_a_name(normalise(e.text), asked)]
    for ent in ents:
        label = ent.label_
        named = NAMED in kinds and label in things
        duration = (
            bool(kinds & _NUMERIC) and label in ("DATE", "TIME") and _DURATION.search(ent.text)
        )
        # The small recogniser calls some people works of art ("Alfred Nobel"): a person
        # may be any name, though one it labels PERSON fits better (`prefer`).
        mislabelled = "PERSON" in kinds and label in _MISLABELLED_PEOPLE
        # "born in Tromsø", which the recogniser may call an organisation
        before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        place = bool(kinds & {"GPE", "LOC"}) and before in _LOCATIVE and label not in _NOT_PLACES
        if ANY in kinds or label in kinds or named or mislabelled or place:
            out.append((ent, label))
        elif duration:
            out.append((ent, "QUANTITY"))
    taken = [(e.start, e.end) for e in ents]
    if kinds & (_NUMERIC | {ANY}):
        for m in _AMOUNT.finditer(span.text):
            piece = span.char_span(m.start(), m.end(), alignment_mode="expand")
            if piece is not None and not _overlaps(piece, taken):
                out.append((piece, "MONEY"))
    if NAMED in kinds or ANY in kinds or "PERSON" in kinds:
        out += _named_phrases(terms, span, taken)
    return out


def _in_a_name(token: Token, span: Span) -> bool:
    """A capitalised word that is part of a name: not the sentence's first word unless the
    next word is capitalised too ("Finance Systems is led by ...")."""
    if token.i > span.start:
        return True
    following = token.doc[token.i + 1] if token.i + 1 < span.end else None
    return following is not None and following.text[:1].isupper()


def _swallows_a_name(key: str, asked: list[str]) -> bool:
    """An entity longer than a name of the question that holds it."""
    return any(a and key != a and f" {a} " in f" {key} " for a in asked)


def _overlaps(piece: Span, taken: list[tuple[int, int]]) -> bool:
    return any(s < piece.end and piece.start < e for s, e in taken)


def _named_phrases(
    terms: QuestionTerms, span: Span, taken: list[tuple[int, int]]
) -> list[tuple[Span, str]]:
    """Noun phrases headed by the asked noun that carry a name or a code ("its VC-48
    battery pack" → "VC-48 battery pack"), and runs of capitalised words not already taken."""
    out: list[tuple[Span, str]] = []
    doc = span.doc
    head = terms.head.split()[-1].rstrip("s") if terms.head else ""
    for chunk in span.noun_chunks:
        if not head or chunk.root.lemma_.lower() != head:
            continue
        words = [t for t in chunk if t.pos_ not in ("DET", "PRON") and t.dep_ != "poss"]
        if words and any(t.pos_ == "PROPN" or _CODE.fullmatch(t.text) for t in words[:-1]):
            out.append((doc[words[0].i : words[-1].i + 1], NAMED))
    run: list[Token] = []
    for token in [*span, None]:
        if token is not None and token.text[:1].isupper() and _in_a_name(token, span):
            run.append(token)
            continue
        if run:
            piece = doc[run[0].i : run[-1].i + 1]
            # a person's name has two words at least ("Viscount", "Torre" are not answers)
            person_only = "PERSON" in terms.kinds and not terms.kinds & {NAMED, ANY}
            if not _overlaps(piece, taken) and (len(run) > 1 or not person_only):
                out.append((piece, NAMED))
            run = []
    return out
