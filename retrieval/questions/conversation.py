"""A follow-up question made to stand alone: its pronouns replaced by what the conversation
named before.

"Who discovered polonium?" — "Marie Curie discovered polonium [1]." — "Where was she born?"
retrieves nothing useful as it is: "she" matches every document. Read against the earlier
turns it is "Where was Marie Curie born?". A personal pronoun takes the person the
conversation named last (the answer just given before the question that led to it); "it"
takes the last named thing that is not a person. A pronoun with no such antecedent, or a
plural one, is left as it is: a wrong substitution is worse than none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy loads when a follow-up is read, not when the facade is imported
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

_PERSONAL = frozenset({"he", "she", "him", "her", "his", "hers"})
_NEUTER = frozenset({"it", "its"})
# Entity types that "it" can stand for.
_THINGS = frozenset(
    {"ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "NORP"}
)


def standalone_question(nlp: Language, question: str, earlier: Sequence[str]) -> str:
    """The question with each singular third-person pronoun replaced by its antecedent in
    the earlier turns (oldest first); the question itself when it needs none."""
    words = {w.strip(".,;:?!'\"").casefold() for w in question.split()}
    if not earlier or not words & (_PERSONAL | _NEUTER):
        return question
    doc = nlp(question)
    person = _last_named(nlp, earlier, person=True)
    thing = _last_named(nlp, earlier, person=False)
    pieces = []
    for token in doc:
        name = _antecedent(token, person, thing)
        pieces.append((name if name is not None else token.text) + token.whitespace_)
    return "".join(pieces)


def _antecedent(token: Token, person: str | None, thing: str | None) -> str | None:
    word = token.lower_
    name = person if word in _PERSONAL else thing if word in _NEUTER else None
    if name is None:
        return None
    possessive = token.tag_ == "PRP$" or word in {"his", "hers", "its"}
    return f"{name}'s" if possessive else name


def _last_named(nlp: Language, earlier: Sequence[str], person: bool) -> str | None:
    """The first person (or thing) named in the latest turn that names one."""
    for doc in reversed(list(nlp.pipe(earlier))):
        people = _people(doc)
        found = people[:1] if person else [t for t in _things(doc) if not _overlaps(t, people)][:1]
        if found:
            return found[0].text
    return None


def _people(doc: Doc) -> list[Span]:
    """PERSON entities, and proper-noun subjects the small model gave no person type
    ("Ana Ferreira runs ..." tagged as a place), in the order they occur."""
    found = [e for e in doc.ents if e.label_ == "PERSON"]
    for token in doc:
        if token.dep_ in ("nsubj", "nsubjpass") and token.pos_ == "PROPN":
            start = min([c.i for c in token.children if c.dep_ == "compound"] + [token.i])
            span = doc[start : token.i + 1]
            if not any(e.label_ in _THINGS and e.text == span.text for e in doc.ents):
                found.append(span)
    return sorted(found, key=lambda span: span.start)


def _things(doc: Doc) -> list[Span]:
    return [e for e in doc.ents if e.label_ in _THINGS]


def _overlaps(span: Span, others: list[Span]) -> bool:
    return any(span.start < o.end and o.start < span.end for o in others)
