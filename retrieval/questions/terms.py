"""What a question pins its answer to: the names and dates it gives, the words of the relation
it asks about, and the kind of value it wants.

An answer is only an answer when the evidence states its value *together with* these terms:
"Who leads the Payments team?" is answered by a row whose team is Payments and whose lead is
the value, not by any person named near the word "lead". Questions that nest one
relation in another are split in `nested_questions.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from groundgraph.ingest.dates import MONTHS, DateParts, dates_in
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.questions.kinds import (
    DATE,
    EMPTY_HEADS,
    NUMBER,
    ORGANISATION,
    WHICH_NOUN,
    question_shape,
)
from groundgraph.retrieval.questions.parsed import parsed
from groundgraph.retrieval.retrievers.linking import question_phrases

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token

# Kinds of answer beyond spaCy's labels: a named thing of the asked sort ("which team"), or any
# value ("what is the payload of X").
NAMED = "NAMED"
ANY = "ANY"

_PRICE = re.compile(r"\b(cost|costs|price|prices|priced|fee|fees|rate|allowance|salary|budget)\b")
_HOW_OFTEN = re.compile(r"\bhow often\b")
_HOW_LONG = re.compile(r"\bhow long\b")
# "the phone number of X", "its serial number": a string of digits that names, not a count.
_NUMBER_NAMED = re.compile(
    r"\b(?:phone|telephone|mobile|fax|contact|registration|serial|account|reference|order|"
    r"ticket|tax|vat|company|policy|model|part|postal|post|zip|extension)\s+(?:number|no|code)\b"
)
# "which expenses tool did ...": two words before the auxiliary are one asked noun.
_WHICH_PHRASE = re.compile(
    r"^(?:which|what)\s+([a-z][a-z-]+\s+[a-z][a-z-]+)\s+"
    r"(?:did|does|do|is|are|was|were|has|have|had|can|will|would|should|could|must)\b"
)
_CAUSAL = re.compile(
    r"^why\b|\bwhat (caused|causes|was the cause|is the cause|was the reason|is the reason|"
    r"led to)\b|\b(cause|reason) (of|for)\b"
)
_MORE = re.compile(r"\b(more|most|higher|highest|larger|largest|bigger|longer|heavier|greater)\b")
_LESS = re.compile(r"\b(less|least|fewer|lower|lowest|smaller|cheaper|cheapest|shorter|lighter)\b")
_COMPARING = frozenset(
    {
        "early",
        "earlier",
        "late",
        "later",
        "first",
        "last",
        "more",
        "less",
        "most",
        "least",
        "high",
        "higher",
        "low",
        "lower",
        "old",
        "older",
        "young",
        "younger",
        "new",
        "newer",
        "recent",
        "cheap",
        "cheaper",
        "expensive",
        "large",
        "larger",
        "small",
        "smaller",
        "big",
        "bigger",
        "long",
        "longer",
        "short",
        "shorter",
        "heavy",
        "heavier",
        "light",
        "lighter",
        "great",
        "greater",
        "few",
        "fewer",
        "much",
        "many",
    }
)
_CODE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])\w+(?:-\w+)*\b")
_WHOLE_WORD = r"(?<!\w){}(?!\w)"
_UNGLUED = r"(?<![\w-]){}(?![\w-])"  # "X" of "X-ray"
_ATTRIBUTE_OF = re.compile(r"^([A-Z]{2,}) of (?:the )?(.+)$")
_DATE_WORDS = frozenset(MONTHS) | {"q1", "q2", "q3", "q4"}
# Kinds of work a question puts before a title: "film Garbo", "song Changed It".
_WORK_KINDS = frozenset({"film", "movie", "song", "album", "single", "novel", "book", "play"})
WH = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "why", "how"})
# Auxiliaries and words every question of a kind has: they bind nothing.
_EMPTY = frozenset({"be", "do", "have", "can", "will", "would", "should", "must", "may"})
# Relation words that documents say in other words: a question's word matches any of its
# family ("owns" is stated as "owning team" or "maintained by"; "father" as "son of").
_FAMILIES = (
    frozenset({"own", "owner", "owning", "maintain", "maintainer", "responsible"}),
    frozenset({"found", "founder", "create", "creator", "establish", "start"}),
    frozenset({"direct", "director", "directed"}),
    frozenset({"write", "writer", "author", "wrote"}),
    frozenset({"compose", "composer"}),
    frozenset({"design", "designer"}),
    frozenset({"discover", "discoverer"}),
    frozenset({"lead", "leader", "head", "run", "manage", "manager"}),
    frozenset({"chair", "chairperson", "chairman", "chairwoman", "chaired", "preside"}),
    frozenset({"cost", "price", "fee"}),
    frozenset({"make", "supplier", "supply", "manufacture", "manufacturer", "produce", "maker"}),
    frozenset({"begin", "commence", "starting"}),
    frozenset({"father", "mother", "parent", "son", "daughter", "child"}),
    frozenset({"spouse", "marry", "married", "marriage", "wife", "husband", "widow", "consort"}),
    frozenset({"die", "death", "dead"}),
    frozenset({"bear", "born", "birth"}),
    frozenset({"keep", "retain", "retention", "store"}),
    frozenset({"work", "employ", "employed", "job", "manage", "managed"}),
    frozenset({"win", "won", "receive", "award", "share", "shared"}),
    frozenset({"change", "rotate", "renew"}),
    frozenset({"fail", "failure", "outage", "unavailable", "down", "stop", "stoppage"}),
    frozenset({"slow", "slowdown"}),
    frozenset({"give", "gift", "donate", "donation"}),
)


@dataclass(frozen=True)
class QuestionTerms:
    """The terms an answer must be stated with.

    Attributes:
        kinds: spaCy labels (or `NAMED`, `ANY`) a value must carry.
        prefer: labels preferred among values of those kinds (MONEY for a price).
        head: the asked noun of "which X" ("team", "battery pack"), or "".
        names: the specific things the question names.
        dates: the dates it gives, as (year, month, day) with the parts it states.
        words: lemmas of the relation it asks about, each with its family of synonyms.
        causal: it asks why; only a statement of a cause answers it.
        compare: for "A or B" questions, `more` or `less` when it compares amounts.
        nouns: the nouns that say which one of a thing is asked about ("board" of "the board
            meeting", "sales" of "the head of sales"): without a name or date to hold on
            to, each must be stated.
        qualified: each noun of the relation with the words that qualify it ("officer" with
            "chief", "technology"): a sentence about another kind of it ("chief financial
            officer") does not answer.
        former: it asks for what held before a change ("before the move", "the previous
            supplier", "the old address"), not what holds now.
        asks_object: "what" is the object of the asked verb ("What did Navenco make?"),
            so the verb's object in a sentence answers it.
    """

    question: str
    kinds: frozenset[str]
    prefer: frozenset[str] = frozenset()
    head: str = ""
    names: tuple[str, ...] = ()
    dates: tuple[DateParts, ...] = ()
    words: frozenset[str] = frozenset()
    causal: bool = False
    compare: str = ""
    qualified: tuple[tuple[str, frozenset[str]], ...] = ()
    former: bool = False
    asks_object: bool = False
    nouns: frozenset[str] = frozenset()

    def about(self, item: str, others: list[str]) -> QuestionTerms:
        """The terms of a comparison, asked about one of its items: its name instead of the
        others', the compared amount or date as the kind, no comparing words."""
        item = bare_name(item)
        items = [f" {normalise(bare_name(i))} " for i in (item, *others)]
        names = (item, *(n for n in self.names if not any(f" {normalise(n)} " in i for i in items)))
        kinds = DATE if self.compare in ("earlier", "later") else NUMBER
        return replace(
            self,
            names=tuple(dict.fromkeys(names)),
            kinds=kinds if self.compare else self.kinds,
            words=self.words - _COMPARING,
        )


def related(word: str) -> frozenset[str]:
    """A relation word with the words documents say it in."""
    return frozenset({word}).union(*(family for family in _FAMILIES if word in family))


def _labels_name(token: Token, named: set[str]) -> bool:
    """ "song" in "the composer of song Make The World Move": the kind of the named work, not
    a word of the asked relation ("a song recorded by X" does not say who composed it)."""
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return token.lower_ in _WORK_KINDS and following is not None and following.lower_ in named


def _names_the_kind(token: Token) -> bool:
    """ "place" in "the place of death of X": the answer's kind, which the question's kind
    already asks for; "took his place in the House of Lords" does not say where X died."""
    doc = token.doc
    return (
        token.lower_ in ("place", "date")
        and token.i + 2 < len(doc)
        and doc[token.i + 1].lower_ == "of"
        and doc[token.i + 2].lower_ in ("birth", "death", "burial")
    )


def _asked_kinds(lower: str, shaped: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The kinds of value a question's words ask for, beyond its question word ("what is the
    price" asks an amount), and the labels preferred among them."""
    if _PRICE.search(lower):
        return NUMBER, frozenset({"MONEY"})
    if _HOW_OFTEN.search(lower) or _HOW_LONG.search(lower):
        return DATE | NUMBER, frozenset({"DATE", "QUANTITY"})
    if _NUMBER_NAMED.search(lower):
        return NUMBER, frozenset()
    return shaped, frozenset()


def read_question(nlp: Language, question: str) -> QuestionTerms:
    """The terms of a question: its kind of answer, names, dates and relation words."""
    lower = " ".join(question.lower().split())
    shape = question_shape(question)
    kinds, prefer = _asked_kinds(lower, shape.answer_types)
    head = ""
    causal = bool(_CAUSAL.search(lower))
    which = WHICH_NOUN.match(lower)
    if which and which.group(1) in EMPTY_HEADS:
        which = None
    if which and not causal and (not kinds or kinds == ORGANISATION) and not shape.items:
        kinds, head = frozenset({NAMED}), which.group(1)
    if not kinds or causal:
        kinds = frozenset({ANY})
    if "PERSON" in kinds:
        prefer = prefer | {"PERSON"}
    doc = parsed(nlp, question)
    if head:
        head = _whole_head(lower, head)
    names = _names(nlp, question)
    codes = [m.span() for m in _CODE.finditer(question)]
    in_code = {t.i for t in doc if any(s <= t.idx < e for s, e in codes)}
    # A date the question gives binds as a date; "their first day" binds as words.
    date_words = {
        t.i for e in doc.ents if e.label_ in ("DATE", "TIME") and dates_in(e.text) for t in e
    }
    date_words |= in_code
    named = {w for n in names for w in normalise(n).split()}
    words = set()
    for token in doc:
        lemma = token.lemma_.lower()
        if (
            token.is_punct
            or _labels_name(token, named)
            or _names_the_kind(token)
            or token.i in date_words
            or token.lower_ in named
            or lemma in WH
            or lemma in _EMPTY
            or lemma in _DATE_WORDS
            or (token.is_stop and token.pos_ not in ("NOUN", "VERB"))
            or not any(c.isalpha() for c in lemma)
        ):
            continue
        words.add(lemma)
    compare = ""
    if shape.items:
        compare = shape.order or ""
        if _MORE.search(lower):
            compare = "more"
        elif _LESS.search(lower):
            compare = "less"
    return QuestionTerms(
        question=question,
        kinds=kinds,
        prefer=prefer,
        head=head,
        names=names,
        dates=tuple(dates_in(_CODE.sub(" ", question))),
        words=frozenset(words),
        causal=causal,
        compare=compare,
        nouns=frozenset(
            t.lemma_.lower()
            for t in doc
            if t.lemma_.lower() in words and _restricts(t) and t.lemma_.lower() not in head.split()
        ),
        qualified=tuple(
            (t.lemma_.lower(), mods)
            for t in doc
            if t.pos_ == "NOUN" and t.lemma_.lower() in words and (mods := qualifiers(t))
        ),
        former=any(_says_former(t) for t in doc),
        asks_object=any(t.lower_ == "what" and t.dep_ == "dobj" for t in doc),
    )


def _says_former(token: Token) -> bool:
    """A word that asks for what held before a change: "before the move" (not a date),
    "previously", "the former supplier", "the old address", "used to"."""
    word = token.lower_
    if word in ("previously", "formerly", "previous", "former"):
        return True
    if word == "old":
        return token.dep_ == "amod"
    if word == "before":
        return any(c.dep_ == "pobj" and c.ent_type_ not in ("DATE", "TIME") for c in token.children)
    return word == "used" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to"


def _restricts(token: Token) -> bool:
    """A noun that narrows another noun down: its compound ("board meeting") or the object
    of its "of" ("head of sales")."""
    if token.pos_ != "NOUN":
        return False
    if token.dep_ == "compound":
        return token.head.pos_ == "NOUN"
    of = token.head
    return token.dep_ == "pobj" and of.lower_ == "of" and of.head.pos_ == "NOUN"


def _whole_head(lower: str, first: str) -> str:
    """The asked noun with the noun before it: "expenses tool" of "Which expenses tool did
    the meeting approve?", where the pattern saw only "expenses" (the small parser reads
    "expenses" as a verb there, so the words up to the auxiliary are taken as written)."""
    whole = _WHICH_PHRASE.match(lower)
    return whole.group(1) if whole and whole.group(1).split()[0] == first else first


def qualifiers(noun: Token) -> frozenset[str]:
    """The common words that say which kind of thing a noun is ("chief financial" of
    "officer"); names ("the Platform team") are not among them."""
    return frozenset(
        c.lemma_.lower()
        for c in noun.children
        if c.dep_ in ("amod", "compound") and c.pos_ in ("ADJ", "NOUN") and not c.ent_type_
    )


def bare_name(name: str) -> str:
    """A name without a leading article or a trailing possessive."""
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    return re.sub(r"['’]s$", "", name)


def _said_alone(name: str, question: str) -> bool:
    """Whether a name is one of its own: not "G" of "the 4G modem" or "X" of "X-ray", which
    the tokenizer splits off, nor a lower-case word the recogniser took for a name ("van" of
    "Which van does ...")."""
    pattern = _WHOLE_WORD if len(name) > 2 else _UNGLUED
    return re.search(pattern.format(re.escape(name)), question) is not None and any(
        c.isupper() or c.isdigit() for c in name
    )


def _names(nlp: Language, question: str) -> tuple[str, ...]:
    """Names and codes the question gives (not dates), the longest of overlapping ones."""
    found = [bare_name(p) for p in question_phrases(nlp, question)]
    found = [p for p in found if not dates_in(p) and not set(p.lower().split()) <= _DATE_WORDS]
    found += [m.group() for m in _CODE.finditer(question)]
    found = [p for p in found if _said_alone(p, question)]
    # "the ABV of Scree Lager": an abbreviated attribute and the name it is of
    found = [part for p in found for part in _ATTRIBUTE_OF.sub(r"\1\n\2", p).split("\n")]
    keys = {p: normalise(p) for p in found}
    kept = [
        p
        for p in dict.fromkeys(found)
        if keys[p]
        and not any(keys[p] != keys[o] and f" {keys[p]} " in f" {keys[o]} " for o in found)
    ]
    return tuple(dict.fromkeys(kept))
