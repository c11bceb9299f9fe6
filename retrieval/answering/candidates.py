"""The spans of a sentence that could answer a question: entities of the asked kinds,
amounts with their currency and counted noun, codes and, for "which X", noun phrases headed by
X that carry a name. `value_spans.py` decides which of them the sentence states in the asked
relation."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.clause_roles import clause_head
from groundgraph.retrieval.answering.value_kinds import NAME_LABELS, NUMERIC, PERSON_NOUNS
from groundgraph.retrieval.questions.terms import ANY, NAMED, QuestionTerms

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_LOCATIVE = frozenset({"in", "at", "near"})
_STREET_LABELS = frozenset({"FAC", "LOC", "GPE", "ORG"})
_HOUSE_NUMBER = re.compile(r"\d{1,5}[A-Za-z]?")
_NOT_PLACES = frozenset({"DATE", "TIME", "MONEY", "CARDINAL", "QUANTITY", "PERCENT", "ORDINAL"})
_MISLABELLED_PEOPLE = frozenset({"WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "FAC"})
_PLACES = frozenset({"LOC", "GPE"})
_AMOUNTS = frozenset({"MONEY", "CARDINAL", "QUANTITY", "PERCENT"})
_CURRENCY = frozenset({"£", "$", "€", "¥"})
# "28 days", "7 years": spaCy's DATE entities that are amounts of time.
_DURATION = re.compile(r"\d.*\b(second|minute|hour|day|week|month|year)s?\b", re.IGNORECASE)
LENGTH_OF_TIME = re.compile(
    r"(?:about |around |over |nearly |almost )?(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|eleven|twelve|several|a few)\s+"
    r"(?:second|minute|hour|day|night|week|fortnight|month|year)s?",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"[£$€¥]\s?\d[\d,.]*\s?(?:million|billion|m|bn|k)?|\b\d[\d,.]*\s?(?:p|%)\B")
_COUNT = re.compile(r"\d{1,3}(?:,\d{3})+\b")
_SMALL = re.compile(r"\d{1,3}")
_STREET = re.compile(
    r"\b(?:Lane|Road|Street|Avenue|Yard|Square|Place|Close|Crescent|Terrace|Parade)$"
)
_CODE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])\w+(?:-\w+)+\b")


def spans_of_kind(terms: QuestionTerms, span: Span) -> list[tuple[Span, str]]:
    """Spans of the asked kinds: entities, amounts, codes and, for "which X", noun phrases
    headed by X that carry a name or a code."""
    kinds = terms.kinds
    out: list[tuple[Span, str]] = []
    # "Which explorer": a person, never a place unless it does the verb ("led by Ines
    # Carvalho", where the recogniser says LOC); "which product": anything but a person.
    person = terms.head in PERSON_NOUNS
    things = NAME_LABELS - (_PLACES if person else {"PERSON"})
    asked = [normalise(n) for n in terms.names]
    # An entity that runs a name of the question into another ("Pellford is Ansel Varga")
    # is no candidate; the capitalised runs in it still are.
    ents = [e for e in span.ents if not _swallows_a_name(normalise(e.text), asked)]
    if kinds & NUMERIC:  # "1,100 Christmas", which the recogniser calls a date, is a count
        ents = [e for e in ents if not (e.label_ == "DATE" and _COUNT.match(e.text))]
    for ent in ents:
        label = ent.label_
        fits = label in things or (person and label in _PLACES and _agent(ent))
        # "Grace Whitlock joined ... as a trainee brewer": a person the sentence calls one
        fits = fits or (label == "PERSON" and _called(ent, terms.head, asked))
        named = NAMED in kinds and fits and not _plural_of_asked(ent, terms.head)
        duration = (
            bool(kinds & NUMERIC)
            and label in ("DATE", "TIME")
            and bool(_DURATION.search(ent.text) or LENGTH_OF_TIME.search(ent.text))
        )
        # "over 25", which the recogniser calls a date: a number, not a year
        duration = duration or (
            bool(kinds & NUMERIC) and label == "DATE" and _SMALL.fullmatch(ent.text) is not None
        )
        # The small recogniser calls some people works of art ("Alfred Nobel"): a person
        # may be any name, though one it labels PERSON fits better (`prefer`).
        before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        # ... and places ("led by Ines Carvalho" as a LOC): a place does nothing
        mislabelled = (
            "PERSON" in kinds
            and (label in _MISLABELLED_PEOPLE or (label in _PLACES and _agent(ent)))
            # "the T5 tracker", "14 Wharf Street" are no person
            and not any(c.isdigit() for c in _with_house_number(ent).text)
            and ent[0].lower_ != "the"  # "The Auth Gateway" is no person either
        )
        # "born in Tromsø", which the recogniser may call an organisation
        place = bool(kinds & {"GPE", "LOC"}) and before in _LOCATIVE and label not in _NOT_PLACES
        # "a new expenses tool, Spendly,": the name the asked noun is given, whatever its label
        named = named or (NAMED in kinds and _names_the_asked(ent, terms.head))
        if "PERSON" in kinds and _STREET.search(ent.text):
            continue  # "the Mill Lane yard": a street is nobody
        if label in _AMOUNTS and (label in kinds or ANY in kinds):
            out.append((_with_unit(ent), label))
        elif ANY in kinds or label in kinds or named or mislabelled or place:
            out.append((_with_house_number(ent), label))
        elif duration:
            out.append((ent, "QUANTITY"))
    taken = [(e.start, e.end) for e in ents]
    if kinds & (NUMERIC | {ANY}):
        for m in _AMOUNT.finditer(span.text):
            piece = span.char_span(m.start(), m.end(), alignment_mode="expand")
            if piece is not None and not overlaps(piece, taken):
                out.append((piece, "MONEY"))
                taken.append((piece.start, piece.end))
    if kinds & NUMERIC:
        out += [(piece, "CARDINAL") for piece in _counts(span) if not overlaps(piece, taken)]
    if NAMED in kinds or ANY in kinds or "PERSON" in kinds:
        out += _named_phrases(terms, span, taken)
    return out


def _counts(span: Span) -> list[Span]:
    """ "roughly 900 litres", "1,100 Christmas hampers", where the recogniser saw no number:
    each count and its noun."""
    return [
        span.doc[t.i : t.head.i + 1]
        for t in span
        if t.like_num
        and t.dep_ == "nummod"
        and t.head.pos_ == "NOUN"
        and t.head.i > t.i
        and all(m.dep_ == "compound" for m in span.doc[t.i + 1 : t.head.i])
    ]


def _called(ent: Span, head: str, names: list[str]) -> bool:
    """The asked noun is said in the entity's clause ("X joined ... as a trainee brewer"); a
    "noun" that is a word of a name the question gives is none."""
    asked = head.split()[-1].casefold() if head else ""
    if not asked or any(asked in n.split() for n in names):
        return False
    clause = clause_head(ent.root)
    return any(t.lemma_.casefold() == asked and clause_head(t) == clause for t in ent.sent)


def _with_unit(ent: Span) -> Span:
    """An amount with its currency and the noun it counts: the recogniser leaves "£" out of
    "£240,000" and "litres" out of "1.4 million litres"."""
    doc = ent.doc
    start = ent.start - 1 if ent.start > 0 and doc[ent.start - 1].text in _CURRENCY else ent.start
    end = ent.end
    root = ent.root
    if (
        ent.label_ != "MONEY"
        and end < len(doc)
        and root.dep_ == "nummod"
        and root.head.i == end
        and doc[end].pos_ == "NOUN"
    ):
        end += 1
    return doc[start:end]


def _with_house_number(ent: Span) -> Span:
    """A street with its number: the recogniser leaves "12" out of "12 Harbour Street"."""
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    if (
        ent.label_ in _STREET_LABELS
        and before is not None
        and _HOUSE_NUMBER.fullmatch(before.text)
        and before.ent_type_ in ("", "CARDINAL")
    ):
        return ent.doc[ent.start - 1 : ent.end]
    return ent


def _plural_of_asked(phrase: Span, head: str) -> bool:
    """A plural of the asked noun where the question asks for one thing: "Tier 1 services" is
    a kind of service, not the one "which service" asks for."""
    root, asked = phrase.root, head.split()[-1].casefold() if head else ""
    return (
        bool(asked)
        and not asked.endswith("s")
        and root.lemma_.casefold() == asked
        and root.morph.get("Number", []) == ["Plur"]
    )


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


def overlaps(piece: Span, taken: list[tuple[int, int]]) -> bool:
    return any(s < piece.end and piece.start < e for s, e in taken)


def _named_phrases(
    terms: QuestionTerms, span: Span, taken: list[tuple[int, int]]
) -> list[tuple[Span, str]]:
    """Noun phrases headed by the asked noun that carry a name or a code ("its VC-48
    battery pack" → "VC-48 battery pack"), and runs of capitalised words not already taken."""
    out: list[tuple[Span, str]] = []
    doc = span.doc
    head = terms.head.split()[-1].rstrip("s") if terms.head else ""
    kinds_of = [(c.start, c.end) for c in span.noun_chunks if _plural_of_asked(c, terms.head)]
    taken = taken + kinds_of  # nor is "Tier", the name in "Tier 1 services"
    for chunk in span.noun_chunks:
        if not head or chunk.root.lemma_.lower() != head or _plural_of_asked(chunk, terms.head):
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
            street = person_only and piece.start > 0 and doc[piece.start - 1].like_num
            if not overlaps(piece, taken) and (len(run) > 1 or not person_only) and not street:
                out.append((piece, NAMED))
            run = []
    return out


def _names_the_asked(ent: Span, head: str) -> bool:
    """The entity follows the asked noun after a comma: its name, in apposition."""
    asked = head.split()[-1] if head else ""
    if not asked or ent.start < 2:
        return False
    noun, comma = ent.doc[ent.start - 2], ent.doc[ent.start - 1]
    return comma.text == "," and asked in (noun.lower_, noun.lemma_.lower())


def _agent(ent: Span) -> bool:
    """The entity is the whole object of "by" ("led by Ines Carvalho"), not a word in it
    ("by Quebec film director Denys Desjardins")."""
    return ent.root.dep_ == "pobj" and ent.root.head.lower_ == "by"
