"""What a question pins its answer to: the names and dates it gives, the words of the relation
it asks about, and the kind of value it wants.

An answer is only an answer when the evidence states its value *together with* these terms:
"Who leads the Payments team?" is answered by a row whose team is Payments and whose lead is
the value, not by any person named near the word "lead". A question that nests one relation in
another ("Who leads the team that owns the Billing Engine?") is split into its inner question
("Which team owns the Billing Engine?") and the outer one, asked with the inner one's answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.dates import MONTHS, DateParts, dates_in
from groundgraph.retrieval.linking import question_phrases
from groundgraph.retrieval.questions import DATE, NUMBER, ORGANISATION, question_shape

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# Kinds of answer beyond spaCy's labels: a named thing of the asked sort ("which team"), or any
# value ("what is the payload of X").
NAMED = "NAMED"
ANY = "ANY"

_PRICE = re.compile(r"\b(cost|costs|price|prices|priced|fee|fees|rate|allowance|salary|budget)\b")
_HOW_OFTEN = re.compile(r"\bhow often\b")
_HOW_LONG = re.compile(r"\bhow long\b")
_WHICH_NOUN = re.compile(r"^(?:which|what)\s+([a-z][a-z-]+)\b")
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
_DATE_WORDS = frozenset(MONTHS) | {"q1", "q2", "q3", "q4"}
_WH = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "why", "how"})
# Auxiliaries and words every question of a kind has: they bind nothing.
_EMPTY = frozenset({"be", "do", "have", "can", "will", "would", "should", "must", "may"})
_EMPTY_HEADS = frozenset(
    {"is", "are", "was", "were", "does", "do", "did", "has", "have", "had", "can", "will", "caused"}
)
# Roles a question can name a person by: "the founder of X", "the director of film Y".
_ROLE_WORDS = frozenset(
    {
        "founder",
        "director",
        "author",
        "writer",
        "composer",
        "creator",
        "producer",
        "owner",
        "designer",
        "inventor",
        "discoverer",
        "editor",
        "publisher",
        "performer",
        "leader",
        "head",
        "chair",
        "manager",
        "father",
        "mother",
        "husband",
        "wife",
        "spouse",
        "son",
        "daughter",
        "child",
    }
)
# "Theodore Salisbury Woolsey's father", "Raghnall Mac Ruaidhrí's paternal grandfather".
_POSSESSED = re.compile(
    r"(?P<owner>(?:[A-Z][\w.\-]*|\([^)]*\))(?:\s+(?:[A-Z][\w.\-]*|of|de|von|van|del|la|mac|"
    r"\([^)]*\)))*)['’]s\s+(?P<relation>(?:paternal |maternal )?[a-z-]+)"
)
# Relatives known through another: X's paternal grandfather is X's father's father.
_KIN_CHAINS = {
    "paternal grandfather": ("father", "father"),
    "paternal grandmother": ("father", "mother"),
    "maternal grandfather": ("mother", "father"),
    "maternal grandmother": ("mother", "mother"),
    "father-in-law": ("spouse", "father"),
    "mother-in-law": ("spouse", "mother"),
}
_FUNCTION_WORDS = frozenset(
    {"is", "was", "are", "were", "be", "did", "does", "do", "has", "have", "had", "the", "a", "an"}
)
_RELATIVISERS = frozenset({"that", "which", "who", "whom", "whose"})
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
    frozenset({"die", "death", "dead"}),
    frozenset({"bear", "born", "birth"}),
    frozenset({"keep", "retain", "retention", "store"}),
    frozenset({"work", "employ", "employed", "job", "manage", "managed"}),
    frozenset({"win", "won", "receive", "award", "share", "shared"}),
    frozenset({"change", "rotate", "renew"}),
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


def read_question(nlp: Language, question: str) -> QuestionTerms:
    """The terms of a question: its kind of answer, names, dates and relation words."""
    lower = " ".join(question.lower().split())
    shape = question_shape(question)
    kinds, prefer, head = shape.answer_types, frozenset[str](), ""
    if _PRICE.search(lower):
        kinds, prefer = NUMBER, frozenset({"MONEY"})
    elif _HOW_OFTEN.search(lower) or _HOW_LONG.search(lower):
        kinds, prefer = DATE | NUMBER, frozenset({"DATE", "QUANTITY"})
    causal = bool(_CAUSAL.search(lower))
    which = _WHICH_NOUN.match(lower)
    if which and which.group(1) in _EMPTY_HEADS:
        which = None
    if which and not causal and (not kinds or kinds == ORGANISATION) and not shape.items:
        kinds, head = frozenset({NAMED}), which.group(1)
    if not kinds or causal:
        kinds = frozenset({ANY})
    if "PERSON" in kinds:
        prefer = prefer | {"PERSON"}
    doc = nlp(question)
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
            or token.i in date_words
            or token.lower_ in named
            or lemma in _WH
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
    )


def bare_name(name: str) -> str:
    """A name without a leading article or a trailing possessive."""
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    return re.sub(r"['’]s$", "", name)


def _names(nlp: Language, question: str) -> tuple[str, ...]:
    """Names and codes the question gives (not dates), the longest of overlapping ones."""
    found = [bare_name(p) for p in question_phrases(nlp, question)]
    found = [p for p in found if not dates_in(p) and not set(p.lower().split()) <= _DATE_WORDS]
    found += [m.group() for m in _CODE.finditer(question)]
    keys = {p: normalise(p) for p in found}
    kept = [
        p
        for p in dict.fromkeys(found)
        if keys[p]
        and not any(keys[p] != keys[o] and f" {keys[p]} " in f" {keys[o]} " for o in found)
    ]
    return tuple(dict.fromkeys(kept))


@dataclass(frozen=True)
class NestedQuestion:
    """A question that names a thing only through another relation.

    Attributes:
        inner: the question whose answer is the bridge ("Which team owns the Billing Engine?").
        outer: the question with `{bridge}` where the nested phrase stood.
    """

    inner: str
    outer: str


def split_nested(nlp: Language, question: str) -> NestedQuestion | None:
    """The inner and outer questions of "… the team that owns X …" or "… the product launched
    on DATE …", or None when no noun carries a relative clause or participle."""
    doc = nlp(question)
    found = _relative_clause(doc) or _participle(doc)
    if found is None:
        return _role_of(doc, question) or _possessed_role(question)
    noun, first, last = found
    head = " ".join(t.text for t in doc[_noun_start(doc, noun) : noun.i + 1] if t.pos_ != "DET")
    words = [t for t in doc[first : last + 1] if not t.is_punct]
    if words and words[0].lower_ in _RELATIVISERS:
        words = words[1:]
    body = " ".join(t.text for t in words).strip()
    if not body or not head:
        return None
    start = doc[_noun_start(doc, noun, determiners=True)].idx
    end = doc[last].idx + len(doc[last].text)
    outer = f"{question[:start]}{{bridge}}{question[end:]}"
    return NestedQuestion(f"Which {head} {body}?", outer)


def _role_of(doc: Doc, question: str) -> NestedQuestion | None:
    """ "Where was the founder of the Nobel Prizes born?": the inner question asks who holds
    the role, the outer asks the rest about them; a question that asks only the role ("Who
    is the founder of X?") is not nested."""
    for token in doc[:-2]:
        if token.lemma_.lower() not in _ROLE_WORDS or doc[token.i + 1].lower_ != "of":
            continue
        of = doc[token.i + 1]
        objects = [c for c in of.children if c.dep_ == "pobj"]
        if not objects:
            continue
        start = _noun_start(doc, token, determiners=True)
        last = objects[0].right_edge.i
        while last + 1 < len(doc) and (
            doc[last + 1].pos_ == "PROPN" or doc[last + 1].is_title or doc[last + 1].text == "("
        ):
            last += 1  # "film Polish Wedding": the small parser ends the object at "film"
            if doc[last].text == "(":  # "Fortunella (Film)": the parenthesis goes with it
                close = next((t.i for t in doc[last:] if t.text == ")"), last)
                last = close
        if doc[last].text != ")":
            last = _clause_end(doc, last)
        end = doc[last].idx + len(doc[last].text)
        outer = f"{question[: doc[start].idx]}{{bridge}}{question[end:]}"
        rest = [w for w in nlp_words(outer) if w not in _WH | _FUNCTION_WORDS]
        if not rest:
            continue  # "Who is the child of the performer of X?": the next role is nested
        role = question[doc[start].idx : end]
        return NestedQuestion(f"Who is {role}?", outer)
    return None


def _possessed_role(question: str) -> NestedQuestion | None:
    """ "Where did Theodore Woolsey's father study?": who the possessor's relative (or role
    holder) is, then the rest about them; "X's paternal grandfather" is X's father's father."""
    for match in _POSSESSED.finditer(question):
        owner, relation = match["owner"].strip(), " ".join(match["relation"].lower().split())
        if relation.split()[-1] not in _ROLE_WORDS and relation not in _KIN_CHAINS:
            continue
        outer = f"{question[: match.start('owner')]}{{bridge}}{question[match.end() :]}"
        if relation in _KIN_CHAINS:
            inner, last = _KIN_CHAINS[relation]
            return NestedQuestion(
                f"Who is {owner}'s {inner}?", outer.replace("{bridge}", f"{{bridge}}'s {last}")
            )
        if [w for w in nlp_words(outer) if w not in _WH | _FUNCTION_WORDS]:
            return NestedQuestion(f"Who is {owner}'s {relation}?", outer)
    return None


def nlp_words(text: str) -> list[str]:
    """The lower-case words of a question outside its `{bridge}` slot."""
    return [w for w in re.findall(r"[a-z]+", text.replace("{bridge}", " ").lower())]


def _relative_clause(doc: Doc) -> tuple[Token, int, int] | None:
    """ "the team that owns X": the noun, and the clause's first and last token."""
    clauses = [
        t
        for t in doc
        if t.dep_ == "relcl"
        and t.head.pos_ == "NOUN"
        and t.i > t.head.i
        and t.left_edge.i > t.head.i
    ]
    if not clauses:
        return None
    clause = clauses[-1]
    return clause.head, clause.left_edge.i, _clause_end(doc, clause.right_edge.i)


def _participle(doc: Doc) -> tuple[Token, int, int] | None:
    """ "the battery pack used in X", "the product launched on DATE": a noun that a verb or
    preposition takes as its object, followed by a participle and a preposition. (The small
    parser often reads the participle as the main verb, so the words decide, not the tree.)"""
    for t in doc[2:-1]:
        noun, after = doc[t.i - 1], doc[t.i + 1]
        if t.tag_ not in ("VBN", "VBD") or noun.pos_ != "NOUN" or after.pos_ != "ADP":
            continue
        start = _noun_start(doc, noun, determiners=True)
        if start > 0 and doc[start - 1].pos_ in ("VERB", "ADP"):
            return noun, t.i, _clause_end(doc, len(doc) - 1)
    return None


def _clause_end(doc: Doc, last: int) -> int:
    """The clause's last token, without a closing question mark or comma."""
    while last > 0 and doc[last].is_punct:
        last -= 1
    return last


def _noun_start(doc: Doc, noun: Token, determiners: bool = False) -> int:
    """Where the noun's phrase starts: its compounds and adjectives (and determiners)."""
    allowed = {"NOUN", "ADJ", "PROPN", "NUM"} | ({"DET"} if determiners else set())
    start = noun.i
    while start > 0 and doc[start - 1].pos_ in allowed and doc[start - 1].lower_ not in _WH:
        start -= 1
    return start


@dataclass(frozen=True)
class RoleComparison:
    """ "Which film has the director who died first, A or B?": each item's role holder, then
    the date of the event, compared.

    Attributes:
        role: the role of each item asked about ("director").
        event: the question about the role holder, with `{bridge}` for them.
        compare: `earlier` or `later` wins.
    """

    role: str
    event: str
    compare: str


_ROLE_EVENT = re.compile(
    r"\b(?P<role>director|performer|composer|producer|author|writer|creator|founder|singer)\b"
    r".*?\b(?P<event>born|died|older|younger)\b(?:\s+(?P<order>first|earlier|later|last))?"
)


def compared_role(question: str) -> RoleComparison | None:
    """The role comparison a question makes, or None."""
    match = _ROLE_EVENT.search(question.lower())
    if match is None:
        return None
    event, order = match["event"], match["order"] or ""
    later = event == "younger" or order in ("later", "last")
    question_of = "When did {bridge} die?" if event == "died" else "When was {bridge} born?"
    return RoleComparison(match["role"], question_of, "later" if later else "earlier")
