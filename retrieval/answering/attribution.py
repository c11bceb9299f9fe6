"""Whether a nationality or country in a sentence belongs to the one the question asks about.

"What nationality is Arthur Hiller?" is not answered by "Author! is a 1982 American film
directed by Arthur Hiller": "American" describes the film, and Hiller only directed it. A
nationality is the asked one's when it describes a noun of theirs ("the Canadian director
Arthur Hiller"), or the clause it stands in is about them ("Hiller was a Canadian director",
"He was born in Montreal, Canada"); a clause about something else, or a phrase that hangs off
another noun ("sequences shot in Australia by Ken Hall"), says nothing of their nationality.
"""

from __future__ import annotations

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
    padded = f" {normalise(phrase)} "
    return any(f" {key} " in padded for key in keys)
