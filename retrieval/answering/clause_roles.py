"""Whose statement a value is, in the clause that gives it: an old value or the new one
("instead of 22 Park Row"), the object a question asks a verb for ("a maker of marine
radios"), and a verb done by another name than the asked one ("the Atlas scanner, which won
the Red Dot award"). `value_spans.py` reads values with these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.evidence_units import Unit, overlapping
from groundgraph.retrieval.questions.stems import stems

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_CHANGE_VERBS = frozenset(
    {
        "move",
        "relocate",
        "transfer",
        "switch",
        "change",
        "migrate",
        "rise",
        "increase",
        "fall",
        "drop",
        "grow",
        "climb",
        "decline",
        "reduce",
        "cut",
        "raise",
        "shrink",
    }
)


def token_stem(token: Token) -> str:
    return next(iter(stems(token.lemma_)), "")


def clause_head(token: Token) -> Token:
    """The nearest verb over a token: the head of its clause."""
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    return token


def _without_article(token: Token) -> Span | None:
    """The phrase `token` heads, without a leading article or possessive."""
    start = token.left_edge.i + (token.left_edge.dep_ in ("det", "poss"))
    return token.doc[start : token.right_edge.i + 1] if start <= token.right_edge.i else None


def former_phrases(span: Span) -> list[Span]:
    """What the sentence gives as held before a change: "instead of 22 Park Row", "moving
    from Park Row", "replaces the Acme scanner", "succeeded Derek Lyle" (without a leading
    article)."""
    found = []
    for token in span:
        objects: list[Token] = []
        instead = token.lower_ == "of" and token.i > 0 and token.nbor(-1).lower_ == "instead"
        # "will cost £38, up from £35"
        after_change = _changes(token.head) or token.head.lower_ in ("up", "down")
        after_change = after_change or _took_over(token.head)
        if instead or (token.lower_ == "from" and after_change):
            objects = [c for c in token.children if c.dep_ == "pobj"]
        elif token.dep_ == "dobj" and token.head.lemma_ in ("replace", "supersede", "succeed"):
            objects = [token]
        for o in objects:
            phrase = _without_article(o)
            if phrase is not None:
                found.append(_before_to(phrase))
    return found


def _changes(verb: Token) -> bool:
    """A verb of change: "moves", "rose", or "goes up" / "goes down"."""
    if verb.lemma_ in _CHANGE_VERBS:
        return True
    return verb.lemma_ == "go" and any(c.lower_ in ("up", "down") for c in verb.children)


def _took_over(verb: Token) -> bool:
    """ "took over from Alan Birch": who held it before."""
    return verb.lemma_ == "take" and any(c.lower_ == "over" for c in verb.children)


def _before_to(phrase: Span) -> Span:
    """The part of "£300 to £330" before its "to", where the parser took the old and the new
    amount as one phrase: only the first is the old one."""
    for token in phrase[1:]:
        if token.lower_ == "to" and token.dep_ == "quantmod":
            return phrase.doc[phrase.start : token.i]
    return phrase


def marked_former(cand: Span, former: list[Span]) -> bool:
    """The candidate is given as what held before a change: inside one of the sentence's
    `former` phrases, or just after "previously", "formerly", "former" or "old"."""
    if any(f.start < cand.end and cand.start < f.end for f in former):
        return True
    before = cand.doc[max(cand.start - 3, cand.sent.start) : cand.start]
    return any(t.lower_ in ("previously", "formerly", "former", "old") for t in before)


def done_by_another(governor: Token, asked: list[str], unit: Unit) -> bool:
    """The asked relation's verb is done by a name the question does not give: its subject
    (or, for "Born at …, she was", the subject of the clause it opens) is a "which" whose
    antecedent carries another name ('"Ramayanam" (1997), which won the National Film Award'
    is the film's award, not its director's), or a "he" or "she" that stands for another person
    ("Born at Karlsburg Castle, she was the daughter of Prince Charles Gustav" is her
    birthplace, not his). A subject that is no name or an unresolved pronoun passes."""
    verb = governor
    if verb.dep_ in ("dobj", "attr") and verb.pos_ == "NOUN":
        verb = verb.head  # "won the Red Dot award": the verb whose object the award is
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects and verb.dep_ == "advcl":
        subjects = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
    for subject in subjects:
        doers: list[str] = []
        if subject.lower_ in ("which", "that", "who") and verb.dep_ == "relcl":
            antecedent = verb.head
            named = antecedent.doc[antecedent.left_edge.i : antecedent.i + 1]
            if any(t.pos_ == "PROPN" for t in named):  # "the Atlas scanner", not "the company"
                doers = [named.text]
        elif subject.lower_ in ("he", "she"):
            doers = [d for d in (unit.sentence.pronoun_person, unit.sentence.subject) if d]
        if doers and not any(_names_one(normalise(d), asked) for d in doers):
            return True
    return False


def _names_one(doer: str, asked: list[str]) -> bool:
    """The doer is one the question names: the names overlap, or all the words of one are
    in the other ("Robert Georgio Enrico" is Robert Enrico)."""
    words = set(doer.split())
    return overlapping(doer, asked) or any(
        a and (set(a.split()) <= words or words <= set(a.split())) for a in asked
    )


def relation_objects(span: Span, words: set[str]) -> list[Span]:
    """The objects of the asked relation's words, where the question asks for the object: the
    direct object of its verb ("they make marine radios") and what its noun is of ("a maker
    of marine radios"), without a leading article."""
    found = []
    for token in span:
        if token_stem(token) not in words:
            continue
        for child in token.children:
            if token.pos_ == "VERB" and child.dep_ == "dobj":
                objects = [child]
            elif token.pos_ == "NOUN" and child.dep_ == "prep" and child.lower_ == "of":
                objects = [g for g in child.children if g.dep_ == "pobj"]
            else:
                continue
            for o in objects:
                phrase = _without_article(o)
                if phrase is not None and o.pos_ in ("NOUN", "PROPN"):
                    found.append(phrase)
    return found
