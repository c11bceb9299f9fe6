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

A heading is a unit too ("INC-2025-011: Auth Gateway outage" states which service failed),
but never for a cause, and never for a value that repeats the question's words.

Units that bind nothing are never read, so an answer is never a value that merely occurs
near the question's words; when no unit binds, there is no answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.attribution import belongs_to, demonyms_of
from groundgraph.retrieval.answering.binding import (
    IN_DOCUMENT,
    bind,
    stated_level,
    word_coverage,
    word_stems,
    word_weights,
)
from groundgraph.retrieval.answering.evidence import EvidenceSentence
from groundgraph.retrieval.answering.evidence_units import Unit, overlapping, units_of
from groundgraph.retrieval.answering.kinship import asked_relative, states_relative
from groundgraph.retrieval.answering.value_kinds import NAME_LABELS, asked_role
from groundgraph.retrieval.answering.value_spans import values
from groundgraph.retrieval.questions.kinds import NATIONALITY
from groundgraph.retrieval.questions.stems import stems
from groundgraph.retrieval.questions.terms import QuestionTerms, qualifiers

__all__ = ["Reading", "read", "units_of"]

_PAIRS = (
    ("start", "end"),
    ("begin", "end"),
    ("open", "close"),
    ("join", "leave"),
    ("arrive", "depart"),
    ("buy", "sell"),
    ("first", "last"),
    ("earliest", "latest"),
    ("minimum", "maximum"),
    ("increase", "decrease"),
    ("add", "remove"),
    ("import", "export"),
    ("win", "lose"),
    ("enter", "exit"),
)
# A word of a question and the word whose statement answers the opposite question.
_OPPOSITES: dict[str, set[str]] = {}
for _a, _b in _PAIRS:
    _OPPOSITES.setdefault(_a, set()).add(_b)
    _OPPOSITES.setdefault(_b, set()).add(_a)


# "how many extra days": the question's own words, no qualifier a unit must state
_HOW = frozenset({"many", "much"})


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


def read(terms: QuestionTerms, units: Iterable[Unit], generic: frozenset[str]) -> list[Reading]:
    """Every value the units state for the question, best bound first."""
    units = list(units)
    weights = word_weights(word_stems(terms.words), units)
    relative = asked_relative(terms.words) if "PERSON" in terms.kinds else None
    nationality = terms.kinds == NATIONALITY
    readings = []
    for unit in units:
        if unit.sentence.heading and terms.causal:
            continue  # "## Cause" titles the cause; the sentences under it state it
        binding = bind(terms, unit, generic, weights)
        if (
            binding is None
            or _another_kind(terms, unit)
            or _role_unstated(terms, unit)
            or _row_unqualified(terms, unit)
            or _states_the_opposite(terms, unit)
        ):
            continue
        loose = _loose(terms, unit, generic)
        # A unit that states the relation must give the value in it; one bound by its date
        # while a neighbour states the relation cannot.
        in_relation = word_coverage(word_stems(terms.words), unit.stems, weights) > 0
        if (
            "PERSON" in terms.kinds
            and not unit.cells
            and not in_relation
            and _only_above(terms, unit, weights)
        ):
            # "Who reported the FV4 spill?": a person in a sentence under the spill's heading
            # that says nothing of reporting did not report it
            continue
        prose, span = not unit.cells, unit.sentence.span
        # "Steno, the artistic name of Stefano Vanzina (...) was an Italian film director":
        # where a nationality word is said of them, it is the answer, not another name.
        demonyms = (
            demonyms_of(span, unit.sentence.entities, terms.names)
            if nationality and prose and span
            else set()
        )
        for value, fit in values(terms, unit, in_relation):
            if loose and _names_another(unit, terms, value):
                continue
            if unit.sentence.heading and (
                _says_the_question(value, terms) or _no_person_in_heading(terms, unit, value)
            ):
                continue
            if demonyms and value not in demonyms:
                continue
            if nationality and prose and span and not belongs_to(span, value, terms.names):
                continue
            if (
                relative
                and prose
                and not states_relative(relative, terms.names, value, unit.sentence.text)
            ):
                continue
            readings.append(Reading(unit, value, binding, fit))
    return sorted(readings, key=_rank)


def _only_above(terms: QuestionTerms, unit: Unit, weights: list[float]) -> bool:
    """The relation's words are stated over the unit (its heading), none in it."""
    return word_coverage(word_stems(terms.words), unit.above_stems, weights) > 0


def _states_the_opposite(terms: QuestionTerms, unit: Unit) -> bool:
    """The unit states the opposite of a word of the question and not the word: "Contract
    ends: 2027-01-15" gives no start of the contract."""
    said = unit.stems | unit.above_stems
    for word in terms.words:
        opposite = _OPPOSITES.get(word, set())
        if any(stems(o) & said for o in opposite) and not word_stems(frozenset({word}))[0] & said:
            return True
    return False


def _another_kind(terms: QuestionTerms, unit: Unit) -> bool:
    """The sentence speaks of another kind of the asked thing: "Our chief financial officer,
    Dana Wells" names no chief technology officer. Every mention of the noun is qualified
    otherwise: each has a word the question lacks, and lacks one the question has."""
    span = unit.sentence.span
    if span is None or unit.cells:
        return False
    for noun, asked in terms.qualified:
        said = [qualifiers(t) for t in span if t.lemma_.lower() == noun]
        if said and all(q - asked and asked - q for q in said):
            return True
    return False


def _role_unstated(terms: QuestionTerms, unit: Unit) -> bool:
    """A person asked for by a role the question qualifies ("the firmware engineer of the
    Routing team") is answered only where the role is said: "Tomasz Wojcik leads Routing"
    names the team's lead, not its firmware engineer, and "Ruth Okonjo runs sales" names no
    head brewer. The words that qualify the role are said there or above it: "she will lead
    our work with schools" names no site lead."""
    if "PERSON" not in terms.kinds:
        return False
    said = unit.stems | unit.above_stems
    return any(
        not word_stems(frozenset({role}))[0] & unit.stems
        or not all(stems(q) & said for q in qualifiers - _HOW)
        for role, qualifiers in terms.qualified
        if asked_role(role, terms.question)
    )


def _row_unqualified(terms: QuestionTerms, unit: Unit) -> bool:
    """A table row whose column is a noun the question qualifies, without the qualifier:
    "Clinic: Knaresby" does not say which clinic is "the busiest clinic"."""
    if len(unit.cells) < 2:
        return False
    columns = set().union(*(stems(name) for name, _ in unit.cells))
    said = unit.stems | unit.above_stems
    return any(
        stems(noun) & columns and not all(stems(q) & said for q in qualifiers - _HOW)
        for noun, qualifiers in terms.qualified
    )


def _loose(terms: QuestionTerms, unit: Unit, generic: frozenset[str]) -> bool:
    """A name of the question is stated only elsewhere in the unit's document."""
    return any(
        stated_level(normalise(n), unit) == IN_DOCUMENT
        for n in terms.names
        if normalise(n) and normalise(n) not in generic
    )


def _says_the_question(value: str, terms: QuestionTerms) -> bool:
    """A heading's value that repeats a word of the question: "Board" of "# Board meeting,
    20 February 2025" for "Who chaired the board meeting ...?", "INCIDENT REPORT" for
    "... in incident INC-2025-014?". A heading names what it titles, so only a name the
    question does not give ("# INC-2025-011: Auth Gateway outage") is read from it."""
    asked = {w.casefold() for w in terms.words} | {
        w for n in terms.names for w in normalise(n).split()
    }
    return any(w in asked for w in normalise(value).split())


def _no_person_in_heading(terms: QuestionTerms, unit: Unit, value: str) -> bool:
    """A "who" question read from a heading gets a person the recogniser names there, never
    the heading's other words ("INCIDENT NOTE - FERMENTER FV4 SPILL" for "Who reported the
    FV4 spill?")."""
    span = unit.sentence.span
    if "PERSON" not in terms.kinds or span is None:
        return False
    key = normalise(value)
    return not any(e.label_ == "PERSON" and normalise(e.text) == key for e in span.ents)


def _names_another(unit: Unit, terms: QuestionTerms, value: str) -> bool:
    """The unit names a thing that is neither the value nor one the question names: its
    value is about that thing ("... a budget of £95,000 for the Dunmore depot"), not the
    one the question names elsewhere in the document."""
    span = unit.sentence.span
    if span is None:
        return False
    said = [normalise(n) for n in (*terms.names, value)]
    return any(
        ent.label_ in NAME_LABELS and not overlapping(normalise(ent.text), said)
        for ent in span.ents
    )


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
