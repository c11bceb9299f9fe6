"""What kind of answer a question asks for, read off its wording.

The rules are a visible table, not a model: "who" wants a person, "where" or "place of birth"
a place, "when" or "date of death" a date, "how many" a number; "..., A or B?" compares two
items; "Is/Are/Did ..." wants a yes or a no. An answer sentence that names nothing of the
asked type does not answer the question, however close it reads.
"""

import re
from dataclasses import dataclass
from typing import Literal

PERSON = frozenset({"PERSON"})
PLACE = frozenset({"GPE", "LOC", "FAC"})
DATE = frozenset({"DATE"})
NUMBER = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
ORGANISATION = frozenset({"ORG"})
NATIONALITY = frozenset({"NORP", "GPE"})

# (pattern on the lower-cased question, the spaCy labels an answer carries), first match wins.
_RULES: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = tuple(
    (re.compile(pattern), labels)
    for pattern, labels in (
        (r"\b(date of (birth|death)|what (year|date|day|month)|when)\b", DATE),
        (r"\bhow (many|much|long|old|tall|far|high)\b", NUMBER),
        (r"\b(nationality|what country is .* from|which country .* from)\b", NATIONALITY),
        (r"\bwhere\b.*\b(work|study|studied|educated|graduate|teach|taught)", ORGANISATION | PLACE),
        (r"\b(place of (birth|death|burial)|where|which (city|town|country|state|place))\b", PLACE),
        (
            r"\b(which|what) (university|college|school|institute|company|organi[sz]ation|"
            r"band|team|club|party|label|publisher|association)\b",
            ORGANISATION,
        ),
        (
            r"^(who|whom|whose)\b|\b(which|what) (person|man|woman|actor|actress|singer|writer|"
            r"author|composer|director|scientist|player)\b",
            PERSON | ORGANISATION,
        ),
    )
)
# "which team ...", "what year ...": the noun the question asks for, unless it is one of
# `EMPTY_HEADS` ("what is", "what caused").
WHICH_NOUN = re.compile(r"^(?:which|what)\s+([a-z][a-z-]+)\b")
EMPTY_HEADS = frozenset(
    {"is", "are", "was", "were", "does", "do", "did", "has", "have", "had", "can", "will", "caused"}
)
_MODALS = frozenset({"could", "would", "should", "might", "may"})
_WHO = re.compile(r"^(who)\b")
# "Who drives on 8 April, and where did he drive before?": two questions, not a clause
_TWO_QUESTIONS = re.compile(r",?\s+and\s+(?:who|where|when|what|which|how)\b")
_RELATIVE = re.compile(r"\b(where|when|who|whom|whose|which|that)\b")
_KIN = re.compile(
    r"\b(mother|father|son|daughter|child|children|husband|wife|spouse|brother|sister|"
    r"grand\w+|uncle|aunt|\w+-in-law)\b"
)
_POLAR = re.compile(r"^(is|are|was|were|do|does|did|has|have|had|can|could|will)\b")
# The items follow the question's first comma and may hold commas of their own ("Which film
# came out first, Love, Honor And Oh-Baby! or I Cover The Underworld?").
_EITHER = re.compile(r"^[^,]*,\s*(?P<a>[^?]+?)\s+or\s+(?P<b>[^?]+?)\s*\?*$")
_BOTH = re.compile(
    r"^(?:are|were|do|did|is|was)\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+both\b", re.IGNORECASE
)
_EARLIER = re.compile(r"\b(first|earlier|earliest|older|oldest|sooner|before)\b")
_LATER = re.compile(r"\b(later|latest|last|younger|youngest|more recent(ly)?|after|newer)\b")


@dataclass(frozen=True)
class QuestionShape:
    """What a question asks for.

    Attributes:
        answer_types: spaCy entity labels an answer carries; empty when any answer will do.
        items: the things a comparison question names ("A or B", "A and B both").
        polar: a yes/no question.
        order: for a comparison, whether the earlier (`first`, `older`) or the later item
            wins, if the wording says.
    """

    answer_types: frozenset[str] = frozenset()
    items: tuple[str, ...] = ()
    polar: bool = False
    order: Literal["earlier", "later"] | None = None

    @property
    def typed(self) -> bool:
        return bool(self.answer_types)


def _asking_part(lower: str) -> str:
    """The part of a question that says what it asks: "Which explorer mapped the continent
    where the first greenhouses were built?" asks for an explorer, and its "where" belongs to
    a clause about the continent. A question that opens "which/what NOUN" is read up to its
    first relative word, and so is one that opens "who" ("Who was driving the van when it hit
    the bollard?" asks for a person); any other is read whole."""
    opening = WHICH_NOUN.match(lower) or _WHO.match(lower)
    if opening is None or opening.group(1) in EMPTY_HEADS | _MODALS or _TWO_QUESTIONS.search(lower):
        return lower
    clause = _RELATIVE.search(lower, opening.end())
    return lower[: clause.start()] if clause else lower


def question_shape(question: str) -> QuestionShape:
    """Read the answer type, compared items and yes/no form off a question's wording."""
    text = " ".join(question.strip().split())
    lower = text.lower()
    polar = bool(_POLAR.match(lower))
    items: tuple[str, ...] = ()
    if (match := _EITHER.search(text)) or (polar and (match := _BOTH.match(text))):
        items = (match["a"].strip(), match["b"].strip())
    order: Literal["earlier", "later"] | None = None
    if items and _EARLIER.search(lower):
        order = "earlier"
    elif items and _LATER.search(lower):
        order = "later"
    types: frozenset[str] = frozenset()
    if not polar:
        asking = _asking_part(lower)
        for pattern, labels in _RULES:
            if pattern.search(asking):
                types = labels
                break
        if types == PERSON | ORGANISATION and _KIN.search(lower):
            types = PERSON
    if polar and items and re.search(r"\b(country|nationality)\b", lower):
        types = NATIONALITY
    return QuestionShape(types, items, polar, order)
