"""Birth and death dates written as a range after a person's name: "Gideon Pillow (June 8,
1806 – October 8, 1878) was an American lawyer" states when he was born and when he died,
though neither word is written; "(25 October 1768, The Hague – 9 January 1816, Weilburg)"
states where too."""

from __future__ import annotations

import re

from groundgraph.ingest.dates import MONTHS
from groundgraph.ingest.resolution import normalise

_AT = r"(?:,\s*(?:in\s+)?|\s+in\s+)"  # "1896, Lviv", "1896 in Lviv", "1896, in Lviv"
# A dash between the two, or none where the source lost it: "(January 24, 1886 June 29, 1982)".
_TO = r"(?:\s*[–-]\s*|\s+(?=(?:[A-Z][a-z]+\.?\s+\d|\d{1,2}\s+[A-Z][a-z]+\s+\d)))"
RANGE = re.compile(
    rf"\((?:[^()]*?;\s*)?(?P<born>[^()–;]*?\d{{4}})(?:{_AT}(?P<born_in>[^()–;\d]+?))?{_TO}"
    rf"(?P<died>[^()–;]*?\d{{4}})(?:{_AT}(?P<died_in>[^()–;\d]+?))?\)"
)
BIRTH_WORDS = frozenset({"bear", "born", "birth"})
DEATH_WORDS = frozenset({"die", "death", "dead"})
# The most words before the range: the name and what it is also known as, not a clause.
_OPENING_WORDS = 12
_NAME_FILLER = frozenset({"of", "the", "and", "de", "von", "van", "la", "del"})


_MONTH = rf"(?:{'|'.join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))})\.?"
# "(born 19 August 1961)", "(born Ronald Browne, 20 August 1937 in Edinburgh)": a life that
# has a start only; the date is the day, month and year at the end of what follows "born".
BORN = re.compile(
    rf"\(\s*born\s+(?:on\s+)?(?:[^()–;\d]*?,\s*)?(?P<born>(?:\d{{1,2}}\s+)?(?:{_MONTH}\s+)?"
    rf"(?:\d{{1,2}},?\s+)?\d{{4}})(?:{_AT}(?P<born_in>[^()–;\d]+?))?\)"
)


def life_span(text: str) -> re.Match[str] | None:
    """The first life range in `text`, or a birth with no death ("(born 19 August 1961)")."""
    return RANGE.search(text) or BORN.search(text)


def opening_lifespan(text: str, names: tuple[str, ...]) -> re.Match[str] | None:
    """The range that follows the name a sentence opens with, when that name is one of
    `names` (by its first and last words: "Clarence Leon Brown (May 10, 1890 – August 17,
    1987)" for "Clarence Brown"); None for a range after anyone else ("His son Emil Brand
    (1930 – 2011)" for Otto Brand)."""
    match = life_span(text)
    if match is None:
        return None
    before = f" {normalise(text[: match.start()])} "
    for name in names:
        words = [w for w in normalise(name).split() if len(w) > 2 and w not in _NAME_FILLER]
        named = words and all(f" {w} " in before for w in (words[0], words[-1]))
        if named and before.count(" ") <= _OPENING_WORDS:
            return match
    return None


def stated_by_range(match: re.Match[str], asked: set[str], place: bool) -> list[str]:
    """What a life range states of the asked events: the dates of birth and death, or with
    `place` the places written after them (none when the range gives no place)."""
    found = []
    groups = match.groupdict()
    for words, date, where in ((BIRTH_WORDS, "born", "born_in"), (DEATH_WORDS, "died", "died_in")):
        value = groups.get(where if place else date)
        if asked & words and value:
            found.append(value.strip())
    return found
