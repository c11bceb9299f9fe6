"""The value a bound unit states for a question: a table row's cell (`cell_values.py`), the
span of the asked kind in the relation's own clause of a sentence, a birth or death date from
a name's date range, or what a causal phrase states."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from groundgraph.ingest.dates import agrees, dates_in
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.binding import CAUSE, cause_of_another, stated_cause
from groundgraph.retrieval.answering.candidates import LENGTH_OF_TIME, overlaps, spans_of_kind
from groundgraph.retrieval.answering.cell_values import cell_values
from groundgraph.retrieval.answering.clause_roles import (
    clause_head,
    done_by_another,
    former_phrases,
    marked_former,
    relation_objects,
    token_stem,
)
from groundgraph.retrieval.answering.evidence import LEADING_TOKENS, leading_pronoun
from groundgraph.retrieval.answering.evidence_units import Unit, overlapping
from groundgraph.retrieval.answering.lifespans import life_span, stated_by_range
from groundgraph.retrieval.answering.value_kinds import (
    MONTH_NAMES,
    NUMERIC,
    names_a_time,
)
from groundgraph.retrieval.questions.kinds import DATE
from groundgraph.retrieval.questions.stems import stems
from groundgraph.retrieval.questions.terms import NAMED, QuestionTerms, related

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# A date range after a name states its birth and death more surely than any other date near.
_LIFESPAN_FIT = 4.0
# A number of five or more digits is no part of a date people write.
_RUN_TOGETHER = re.compile(r"\d{5,}")


_BY = re.compile(r"\bby\b", re.I)


_NO_NAME = re.compile(r"[\d\s.,:;/%£$€()\-–]*")

_COST_WORDS = frozenset({"cost", "price", "pay", "spend"})
_CAPS = ("up to", "at most", "a maximum of", "no more than", "budget of")


def values(terms: QuestionTerms, unit: Unit, in_relation: bool) -> list[tuple[str, float]]:
    if terms.causal:
        cause = stated_cause(unit)
        return [(cause, 1.0)] if cause and not cause_of_another(terms, unit) else []
    found = cell_values(terms, unit) if unit.cells else _span_values(terms, unit, in_relation)
    if terms.kinds == {NAMED}:  # "which supplier" is named, never a date or a number
        found = [(v, fit) for v, fit in found if not _NO_NAME.fullmatch(MONTH_NAMES.sub("", v))]
    if terms.kinds == DATE:
        # "17 September 190030 April 1985": two dates run together; "for two weeks": how
        # long, not when
        found = [
            (v, fit)
            for v, fit in found
            if not _RUN_TOGETHER.search(v)
            and not LENGTH_OF_TIME.fullmatch(v.strip())
            and names_a_time(v)
        ]
    return found


def _span_values(terms: QuestionTerms, unit: Unit, in_relation: bool) -> list[tuple[str, float]]:
    """Spans of the asked kind in a sentence, each with its fit: a word of the asked relation
    governs it (+2), follows it before the next candidate (+1), or its label is preferred."""
    span = unit.sentence.span
    if span is None:
        return []
    asked = [normalise(n) for n in terms.names]
    candidates = [
        c for c in spans_of_kind(terms, span) if not overlapping(normalise(c[0].text), asked)
    ]
    candidates = [
        c for c in candidates if not _is_asked_date(c[0].text, terms) and not _a_cap(c[0], terms)
    ]
    # "The outage was caused by an expired TLS certificate": what caused it did not fail
    cause = CAUSE.search(span.text)
    if cause is not None:
        begins = span.start_char + cause.start("cause")
        candidates = [c for c in candidates if c[0].start_char < begins]
    words = set(stems(" ".join(w for word in terms.words for w in related(word))))
    if terms.asks_object and not terms.kinds <= NUMERIC:  # "What did Navenco make?"
        taken = [(c.start, c.end) for c, _ in candidates]
        candidates += [
            (o, "OBJECT")
            for o in relation_objects(span, words)
            if not overlaps(o, taken) and not overlapping(normalise(o.text), asked)
        ]
    found = []
    ordered = sorted(candidates, key=lambda c: c[0].start)
    passive = _BY.search(terms.question) is not None  # "Who was it directed by?"
    numeric = bool(terms.kinds & NUMERIC)
    pronoun = _pronoun_subject(terms, unit)
    if pronoun is not None:  # "He wrote the update client": the person "he" stands for
        ordered = sorted([*ordered, (pronoun, "PERSON")], key=lambda c: c[0].start)
    # "will work from 14 Wharf Street instead of 22 Park Row": where the sentence tells the
    # old value from the new, only the one the question asks for (`former`) answers
    former = former_phrases(span)
    if former or any(marked_former(c, former) for c, _ in ordered):
        ordered = [(c, label) for c, label in ordered if marked_former(c, former) == terms.former]
        if terms.former:
            taken = [(c.start, c.end) for c, _ in ordered]
            ordered += [(f, "FORMER") for f in former if not overlaps(f, taken)]
            ordered.sort(key=lambda c: c[0].start)
    for n, (cand, label) in enumerate(ordered):
        governor = _governor(cand, words)
        if governor is not None and _said_of_another(
            cand, governor, unit, asked, words, passive=passive, numeric=numeric
        ):
            continue
        following_end = ordered[n + 1][0].start if n + 1 < len(ordered) else span.end
        following = {token_stem(t) for t in span.doc[cand.end : following_end]}
        # "Omar Haddad reports to Dana Wells and runs payroll": he runs it, the verb's subject
        doer = governor is None and _subject_of_joined(cand, words)
        fit = 2.0 * (governor is not None or doer) + len(following & words)
        fit += _in_clause(cand, words)
        # "the chief executive, Tom Avery": the name the asked role is given
        fit += 2.0 if "PERSON" in terms.kinds and _in_apposition(cand, terms.words) else 0.0
        # "head brewer Tomas Novak, who took over from Alan Birch": what the asked value was
        # before is given as such, wherever the relation's words stand
        fit += 1.0 if terms.former and marked_former(cand, former) else 0.0
        if fit == 0 and in_relation:
            continue  # stated in the sentence, but not in the asked relation's clause
        fit += 1.0 if label in terms.prefer else 0.0
        fit += 2.0 if _named_as_asked(cand, terms.head) else 0.0
        value = unit.sentence.pronoun_person if cand is pronoun else cand.text.strip()
        found.append((value, fit))
    return _lifespan(terms, unit.sentence.text) + found


def _a_cap(cand: Span, terms: QuestionTerms) -> bool:
    """An amount given as a limit ("agreed to buy a second van, up to £18,000") where the
    question asks what something cost: a budget is no price."""
    if not terms.words & _COST_WORDS:
        return False
    before = cand.doc[max(cand.start - 3, cand.sent.start) : cand.start].text.lower()
    text = cand.text.lower()
    return any(f"{cap} " in f"{before} {text}" for cap in _CAPS)


def _said_of_another(
    cand: Span,
    governor: Token,
    unit: Unit,
    asked: list[str],
    words: set[str],
    *,
    passive: bool,
    numeric: bool,
) -> bool:
    """The relation word that governs the candidate is said of another than the asked one
    (`asked`: the question's names; `words`: its relation's stems)."""
    return (
        # "the death of her husband in 1906": his death, not the asked one's
        (bool(asked) and _of_another(governor, asked, cand))
        # "The Auth Gateway is run by the Platform team": run, not running
        or (not passive and _done_to(cand, governor))
        # '"Ramayanam", which won the National Film Award': the film's award
        or (bool(asked) and done_by_another(governor, asked, unit))
        # "Repairs cost £1,840" is no cost of a second van
        or (numeric and _of_another_thing(governor, words))
    )


def _of_another_thing(verb: Token, words: set[str]) -> bool:
    """The amount's verb has a common noun for its subject that the question does not name:
    "Repairs cost £1,840" states what the repairs cost, not "the second van"."""
    return any(
        c.dep_ == "nsubj" and c.pos_ == "NOUN" and token_stem(c) not in words for c in verb.children
    )


def _subject_of_joined(cand: Span, words: set[str]) -> bool:
    """The candidate is the subject of a verb joined by "and" to a verb of the relation."""
    root = cand.root
    return root.dep_ == "nsubj" and any(
        c.dep_ == "conj" and c.pos_ == "VERB" and token_stem(c) in words for c in root.head.children
    )


def _in_apposition(cand: Span, nouns: frozenset[str]) -> bool:
    """The candidate and a noun of the question name each other: "the chief executive, Tom
    Avery", "Priya Nair, our head of engineering"."""
    root = cand.root
    if root.dep_ == "appos" and root.head.lemma_.lower() in nouns:
        return True
    return any(c.dep_ == "appos" and c.lemma_.lower() in nouns for c in root.children)


def _done_to(cand: Span, relation: Token) -> bool:
    """The candidate is what the relation is done to, its doer named after "by": the
    passive subject, which an active question ("Who runs ...?") does not ask for."""
    return (
        cand.root.dep_ == "nsubjpass"
        and cand.root.head.i == relation.i
        and any(child.dep_ == "agent" for child in relation.children)
    )


def _pronoun_subject(terms: QuestionTerms, unit: Unit) -> Span | None:
    """The sentence's leading subject pronoun, where it stands for a person
    (`EvidenceSentence.pronoun_person`) and the question asks for one."""
    span = unit.sentence.span
    if span is None or "PERSON" not in terms.kinds or not unit.sentence.pronoun_person:
        return None
    token = next(t for t in span[:LEADING_TOKENS] if leading_pronoun(t))
    return span.doc[token.i : token.i + 1]


def _named_as_asked(cand: Span, head: str) -> bool:
    """A name whose last word is the asked noun: "Yale University" for "which university",
    where a place in the same sentence ("born in New York City") is another kind of thing."""
    asked = head.split()[-1].casefold() if head else ""
    return bool(asked) and len(cand) > 1 and cand[-1].lemma_.casefold() == asked


def _lifespan(terms: QuestionTerms, text: str) -> list[tuple[str, float]]:
    """Birth and death dates (or places) written as a range after a name: "Gideon Pillow
    (June 8, 1806 – October 8, 1878) was ..." is born on the first and died on the second."""
    match = life_span(text)
    place = bool(terms.kinds & {"GPE", "LOC"})
    if match is None or not ("DATE" in terms.kinds or place):
        return []
    asked = {w for word in terms.words for w in related(word)}
    return [(v, _LIFESPAN_FIT) for v in stated_by_range(match, asked, "DATE" not in terms.kinds)]


def _is_asked_date(text: str, terms: QuestionTerms) -> bool:
    return any(agrees(a, d) and agrees(d, a) for a in terms.dates for d in dates_in(text))


def _in_clause(cand: Span, words: set[str]) -> float:
    """1 when a word of the asked relation is in the candidate's clause (the words under the
    same nearest verb): "The daily meal allowance is £45" binds £45 to the allowance."""
    head = clause_head(cand.root)
    return float(any(token_stem(t) in words for t in head.subtree if clause_head(t) == head))


def _governor(cand: Span, words: set[str]) -> Token | None:
    """The word of the asked relation among the candidate's three nearest governors."""
    token: Token = cand.root
    for _ in range(3):
        if token.head.i == token.i:
            return None
        token = token.head
        if token_stem(token) in words:
            return token
    return None


def _of_another(relation: Token, asked: list[str], cand: Span) -> bool:
    """The relation word belongs to someone the question does not name: its possessor is
    another name ("Pierre's death"), or its "of" names another person ("the death of her
    husband"). A pronoun possessor stands for the sentence's subject and passes, and so does
    the candidate itself ("the son of Gisela Elsner" states his mother)."""
    for child in relation.children:
        if cand.start <= child.i < cand.end or any(
            cand.start <= t.i < cand.end for t in child.subtree
        ):
            continue
        named = child.dep_ == "poss" and child.pos_ == "PROPN"
        if named and not overlapping(normalise(_phrase(child)), asked):
            return True
        if child.dep_ == "prep" and child.lower_ == "of":
            for owner in (c for c in child.children if c.dep_ == "pobj" and c.pos_ != "PRON"):
                personal = owner.ent_type_ == "PERSON" or any(
                    c.dep_ == "poss" for c in owner.children
                )
                if personal and not overlapping(normalise(_phrase(owner)), asked):
                    return True
    return False


def _phrase(token: Token) -> str:
    return token.doc[token.left_edge.i : token.i + 1].text
