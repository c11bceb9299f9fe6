"""Whether a nationality or country in a sentence belongs to the one the question asks about.

"What nationality is Arthur Hiller?" is not answered by "Author! is a 1982 American film
directed by Arthur Hiller": "American" describes the film, and Hiller only directed it. A
nationality is the asked one's when it describes a noun of theirs ("the Canadian director
Arthur Hiller"), or the clause it stands in is about them ("Hiller was a Canadian director",
"He was born in Montreal, Canada"); a clause about something else, or a phrase that hangs off
another noun ("sequences shot in Australia by Ken Hall"), says nothing of their nationality.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from groundgraph.ingest.resolution import normalise

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_PRONOUNS = frozenset({"he", "she", "they", "who"})
# Clauses that hang off a noun: what they say is about that noun, not the sentence's subject.
_NOUN_CLAUSES = frozenset({"acl", "relcl"})


def belongs_to(span: Span, value: str, names: tuple[str, ...]) -> bool:
    """Whether `value` (a nationality or country in `span`) is said of one of `names`; True
    when the value cannot be found in the parse (nothing to judge by)."""
    start = span.text.find(value)
    if start < 0 or not names:
        return True
    token = next((t for t in span if t.idx - span.start_char >= start), None)
    if token is None:
        return True
    keys = [normalise(n) for n in names if normalise(n)]
    noun = _described_noun(token)
    if noun is not None and _names(_own_phrase(noun), keys):
        return True
    clause = _clause(token)
    if clause is None:
        return False
    subjects = [c for c in clause.children if c.dep_ in _SUBJECTS]
    return any(s.lower_ in _PRONOUNS or _names(_own_phrase(s), keys) for s in subjects)


def demonyms_of(
    span: Span, entities: Iterable[tuple[str, str]], names: tuple[str, ...]
) -> set[str]:
    """The nationality words (spaCy's NORP) the sentence says of one of `names`: "American" in
    "Henry Hathaway (1898 – 1985) was an American film director"."""
    return {
        value
        for value, label in entities
        if label == "NORP"
        and _NATIONALITY_WORD.search(value)
        and value in span.text
        and belongs_to(span, value, names)
    }


# Names of one nation in the forms documents use for it, where the endings below miss them.
_NATIONS = {
    **dict.fromkeys(
        (
            "english",
            "scottish",
            "welsh",
            "british",
            "england",
            "scotland",
            "wales",
            "britain",
            "great britain",
            "united kingdom",
            "uk",
        ),
        "united kingdom",
    ),
    **dict.fromkeys(("american", "america", "united states", "usa"), "united states"),
    **dict.fromkeys(("french", "france"), "france"),
    **dict.fromkeys(("dutch", "netherlands", "holland"), "netherlands"),
    **dict.fromkeys(("spanish", "spain"), "spain"),
    **dict.fromkeys(("swiss", "switzerland"), "switzerland"),
    **dict.fromkeys(("irish", "ireland"), "ireland"),
    **dict.fromkeys(("danish", "denmark"), "denmark"),
    **dict.fromkeys(("swedish", "sweden"), "sweden"),
    **dict.fromkeys(("polish", "poland"), "poland"),
    **dict.fromkeys(("turkish", "turkey"), "turkey"),
    **dict.fromkeys(("greek", "greece"), "greece"),
    **dict.fromkeys(("finnish", "finland"), "finland"),
    **dict.fromkeys(("norwegian", "norway"), "norway"),
    **dict.fromkeys(("filipino", "philippines"), "philippines"),
}
_MULTIWORD = sorted((n for n in _NATIONS if " " in n), key=len, reverse=True)
# Endings that make a nation's name a nationality word: Italy → Italian, China → Chinese.
_DEMONYM_ENDING = re.compile(r"(?:ians?|ans?|ese|ish|ia|y|a|i|o|e)$")


# A nationality word, not a faith or a title that spaCy also labels NORP ("Muslim",
# "Countess"): a nation's name as above, or one of the endings nationality words take.
_NATIONALITY_WORD = re.compile(
    rf"\b(?:{'|'.join(sorted(_NATIONS, key=len, reverse=True))})\b|\w(?:an|ese|ish|i|ch)\b",
    re.IGNORECASE,
)


def nations(value: str) -> frozenset[str]:
    """The nations a nationality or country names, as comparable keys ("Austrian- German" →
    {austr, germ}; "Italy" and "Italian" → {ital}); empty when it names none."""
    text = f" {normalise(value)} "
    for name in _MULTIWORD:
        text = text.replace(f" {name} ", f" {_NATIONS[name].replace(' ', '_')} ")
    keys = set()
    for word in text.split():
        if word in _NATIONS:
            keys.add(_NATIONS[word])
        elif "_" in word:
            keys.add(word.replace("_", " "))
        elif word.isalpha() and len(word) > 3:
            root = word
            while len(root) > 4 and (shorter := _DEMONYM_ENDING.sub("", root)) != root:
                root = shorter
            keys.add(root)
    return frozenset(keys)


def same_nation(first: Iterable[str], second: Iterable[str]) -> bool | None:
    """Whether two people's nationalities or countries name a nation in common; None when
    either's name none, or when they differ but one is cut short ("an Austrian- German-"
    may go on to name the other's)."""
    first, second = list(first), list(second)
    a = frozenset().union(*(nations(v) for v in first))
    b = frozenset().union(*(nations(v) for v in second))
    if not a or not b:
        return None
    if a & b:
        return True
    return None if any(v.rstrip().endswith("-") for v in first + second) else False


def _described_noun(token: Token) -> Token | None:
    """The noun a modifier describes: "American" → "director" in "the American director"."""
    while token.dep_ in ("amod", "compound", "nmod", "npadvmod") and token.head.i != token.i:
        token = token.head
    return token if token.pos_ in ("NOUN", "PROPN") else None


def _clause(token: Token) -> Token | None:
    """The verb of the clause a token stands in; None when it hangs off a noun's clause
    (an `acl` or relative clause says something of that noun)."""
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    if token.pos_ not in ("VERB", "AUX") or token.dep_ in _NOUN_CLAUSES:
        return None
    return token


def _own_phrase(token: Token) -> str:
    """A noun's phrase without the clauses that hang off it."""
    hanging = {t.i for c in token.children if c.dep_ in _NOUN_CLAUSES for t in c.subtree}
    return " ".join(t.text for t in token.subtree if t.i not in hanging)


def _names(phrase: str, keys: list[str]) -> bool:
    """Whether the phrase names one of the keys, in full or by its first and last words
    ("Howard Jerome Morris" for Howard Morris)."""
    padded = f" {normalise(phrase)} "
    for key in keys:
        words = key.split()
        ends = (words[0], words[-1]) if len(words) > 1 else (key,)
        if f" {key} " in padded or all(f" {w} " in padded for w in ends):
            return True
    return False
