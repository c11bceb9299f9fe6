"""The value a table row or a `Label: value` line states for a question: the cell whose column
names the asked attribute, in a row keyed by a name, date, words or quantity the question
gives ("Service catalogue — Service: Event Bus; Owning team: Platform" for "Which team owns
the Event Bus?")."""

from __future__ import annotations

import re

from groundgraph.ingest.dates import agrees, dates_in
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.binding import word_stems
from groundgraph.retrieval.answering.evidence_units import Unit
from groundgraph.retrieval.answering.value_kinds import (
    NAME_LABELS,
    NUMERIC,
    PERSON_NOUNS,
    asked_role,
    names_a_time,
)
from groundgraph.retrieval.questions.kinds import DATE, WHICH_NOUN
from groundgraph.retrieval.questions.stems import stems
from groundgraph.retrieval.questions.terms import ANY, NAMED, QuestionTerms

_FUNCTION_WORDS = frozenset(
    {"in", "on", "at", "of", "for", "to", "with", "a", "an", "the", "your", "our", "own", "their"}
)
_PLACE_KINDS = frozenset({"GPE", "LOC", "FAC", "NORP"})
_NOTE = re.compile(r"\s*\([^()]*\)$")
# The role a name is given in the question: "When is Owen Gallagher the primary ...?"
_ROLE_AFTER = re.compile(r"^\s+(?:is |was |as )?(?:the |a |an )(?P<role>\w+)")
_NOT_PEOPLE = frozenset({"GPE", "LOC", "DATE", "TIME", "MONEY", "CARDINAL", "QUANTITY"})


def cell_values(terms: QuestionTerms, unit: Unit) -> list[tuple[str, float]]:
    """Cells of the asked kind in a row keyed by the question (a cell that is a name, a date
    or a word the question gives); fit is the share of the column's name that names the asked
    attribute, and a column that names none of it is not read."""
    keys = {normalise(n) for n in terms.names}
    # the asked noun names the value, not the row's key: "Billing team" answers "Which team
    # maintains the Invoice Engine?"
    asked_stems = stems(" ".join(terms.words | {terms.head})) - stems(terms.head)
    question = f" {normalise(terms.question)} "
    keyed = [
        i
        for i, (_, value) in enumerate(unit.cells)
        if _matches_name(normalise(value), keys)
        or any(agrees(d, v) for d in terms.dates for v in dates_in(value))
        or _named_by_words(value, asked_stems)
        or _quantity_given(value, question)
    ]
    by_words = any(_named_by_words(unit.cells[i][1], asked_stems) for i in keyed)
    if not keyed and len(unit.cells) > 1:
        return []
    attribute = frozenset().union(*word_stems(terms.words))
    attribute |= stems(terms.head)
    # a name of the question that is a column's name asks for that column ("the ABV of X")
    columns = [stems(name) for name, _ in unit.cells]
    attribute |= {w for n in terms.names if stems(n) in columns for w in stems(n)}
    labels = _cell_labels(unit)
    which = WHICH_NOUN.match(terms.question.lower())
    asked_noun = stems(which.group(1)) if which else frozenset()
    if _key_in_another_role(terms, unit, keyed):
        return []
    dated = [i for i, (_, value) in enumerate(unit.cells) if i not in keyed and dates_in(value)]
    found = []
    for i, (name, value) in enumerate(unit.cells):
        label = labels.get(normalise(value))
        column = stems(name)
        # "Tier: 2" for "What tier is the Invoice Engine?": the column is the asked noun, so
        # its cell is the asked thing whatever it looks like, and is said with its column
        named = bool(terms.head) and column == stems(terms.head)
        if i in keyed or not value or not (named or _cell_fits(value, terms, label)):
            continue
        if _person_for_a_thing(terms, label, column, attribute) or _another_role(terms, column):
            continue
        if named and not any(c.isalpha() for c in value):
            value = f"{name} {value}"
        if "PERSON" in terms.kinds:
            value = _NOTE.sub("", value) or value  # "Neil Garside (volunteer)"
        fit = len(column & attribute) / max(len(column), 1)
        # "Which country does the supplier of Citra hops come from?": the column that names
        # the asked noun answers, not the one a word of the row's key names ("Supplier")
        fit += 1.0 if asked_noun and asked_noun <= column else 0.0
        if fit > 0:
            found.append((value, 1.0 + fit))
        elif by_words or not attribute or (terms.kinds == DATE and dated == [i]):
            # "What is the standing charge?", "Who is the Treasurer?": the row's key is the
            # asked thing itself, so its value needs no column named by the question; "When
            # is Lara Quinn on call?": the row's one date is when its keys hold
            found.append((value, 0.5))
    return found


def _key_in_another_role(terms: QuestionTerms, unit: Unit, keyed: list[int]) -> bool:
    """A name the question gives in a role ("Owen Gallagher the primary") sits in another
    column of the row: a row where he is the secondary does not say when he is the
    primary."""
    columns = [stems(name) for name, _ in unit.cells]
    for name in terms.names:
        at = terms.question.find(name)
        role = _ROLE_AFTER.search(terms.question[at + len(name) :]) if at >= 0 else None
        if role is None:
            continue
        role_stems = stems(role["role"])
        holding = [
            i for i in keyed if _matches_name(normalise(unit.cells[i][1]), {normalise(name)})
        ]
        if role_stems and role_stems in columns and all(columns[i] != role_stems for i in holding):
            return bool(holding)
    return False


def _person_for_a_thing(
    terms: QuestionTerms, label: str | None, column: frozenset[str], attribute: frozenset[str]
) -> bool:
    """A person's name read for "which service" from a column that does not name services
    ("Incident commander: Lucy Farrant"); a column that names the asked thing or the asked
    relation is trusted over the recogniser ("Supplier: Nordgard Labs" for "Which company
    supplies the yeast?", which it calls a person)."""
    head = terms.head
    return (
        label == "PERSON"
        and NAMED in terms.kinds
        and "PERSON" not in terms.kinds
        and bool(head)
        and head not in PERSON_NOUNS
        and not column & (stems(head) | attribute)
    )


def _another_role(terms: QuestionTerms, column: frozenset[str]) -> bool:
    """A person asked for by a role the question qualifies ("the firmware engineer of the
    Routing team") is read only from a column that names the role: "Team lead" names another
    role of the same team, which the question's "team" would otherwise match."""
    roles = [noun for noun, _ in terms.qualified if asked_role(noun, terms.question)]
    return "PERSON" in terms.kinds and bool(roles) and not any(stems(r) & column for r in roles)


def _cell_labels(unit: Unit) -> dict[str, str]:
    """The recogniser's label of each cell that is one entity."""
    span = unit.sentence.span
    return {normalise(e.text): e.label_ for e in span.ents} if span is not None else {}


def _named_by_words(value: str, asked: frozenset[str]) -> bool:
    """A cell that the question's words name: most of its words are among them ("Evening
    meal" in "the limit for an evening meal", "Mileage in your own car" in "the mileage rate
    for volunteers using their own car")."""
    words = stems(value) - _FUNCTION_WORDS
    return (
        bool(words) and not any(c.isdigit() for c in value) and 2 * len(words & asked) >= len(words)
    )


def _quantity_given(value: str, question: str) -> bool:
    """A cell that is a quantity the question gives ("10 years" in "after 10 years of
    service"): the row's key, as a name would be."""
    key = normalise(value)
    return any(c.isdigit() for c in key) and f" {key} " in question


def _matches_name(value: str, keys: set[str]) -> bool:
    return any(k and (value == k or f" {k} " in f" {value} ") for k in keys)


def _cell_fits(value: str, terms: QuestionTerms, label: str | None = None) -> bool:
    """Whether a cell holds a value of the asked kind; `label` is the recogniser's, where
    the cell is one entity (a person is not a cell it calls a place or a date, nor a place
    one it calls a person)."""
    kinds = terms.kinds
    if ANY in kinds:
        return True
    if "PERSON" in kinds and label in _NOT_PEOPLE:
        return False
    if kinds <= _PLACE_KINDS and label == "PERSON":
        return False  # "Driver: Sam Ellery" is nowhere
    has_digit = any(c.isdigit() for c in value)
    if "DATE" in kinds and names_a_time(value):
        return True
    if kinds & NUMERIC and has_digit:
        return True
    if NAMED in kinds:
        return not value.replace(",", "").replace(".", "").isdigit()
    if "PERSON" in kinds:
        return not has_digit and any(w[:1].isupper() for w in value.split())
    return bool(kinds & NAME_LABELS) and not has_digit
