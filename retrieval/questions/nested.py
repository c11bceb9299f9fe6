"""Questions that nest one relation in another, split into the inner question (whose answer
is the bridge) and the outer one asked about it: "Who leads the team that owns the Billing
Engine?" is "Which team owns the Billing Engine?", then "Who leads {bridge}?"; "Where was the
founder of X born?", "Where did X's father study?" and "X's paternal grandfather" likewise.
A comparison through each item's role holder ("Which film has the director who died first,
A or B?") is read the same way for each item."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groundgraph.retrieval.questions.parsed import parsed
from groundgraph.retrieval.questions.terms import WH

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

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
# A word of a name: capitalised or a numbered title ("3Rd"), an inner apostrophe ("D'Évreux")
# but not the possessive, or a parenthesis ("(1727–1752)").
_NAME_WORD = r"(?:[A-Z0-9\u00c0-\u00de][\w.\-]*(?:['’](?!s\b)\w[\w.\-]*)*|\([^)]*\))"
_NAME = rf"{_NAME_WORD}(?:,?\s+(?:{_NAME_WORD}|(?:of|de|von|van|del|la|mac|the)(?=\s)))*"
# "Theodore Salisbury Woolsey's father", "Robert III, Count of Dreux's paternal grandfather".
_POSSESSED = re.compile(rf"(?P<owner>{_NAME})['’]s\s+(?P<relation>(?:paternal |maternal )?[a-z-]+)")
# Relatives known through another: X's paternal grandfather is X's father's father.
_KIN_CHAINS = {
    "paternal grandfather": ("father", "father"),
    "paternal grandmother": ("father", "mother"),
    "maternal grandfather": ("mother", "father"),
    "maternal grandmother": ("mother", "mother"),
    "father-in-law": ("spouse", "father"),
    "mother-in-law": ("spouse", "mother"),
    "son-in-law": ("daughter", "husband"),
    "daughter-in-law": ("son", "wife"),
    "child-in-law": ("child", "spouse"),
    "stepmother": ("father", "wife"),
    "stepfather": ("mother", "husband"),
}
# "the paternal grandmother of X": the relative and who it is the relative of.
_KIN_OF = re.compile(
    rf"\bthe (?P<relation>{'|'.join(sorted(_KIN_CHAINS, key=len, reverse=True))}) of "
    rf"(?P<owner>{_NAME})"
)
_FUNCTION_WORDS = frozenset(
    {"is", "was", "are", "were", "be", "did", "does", "do", "has", "have", "had", "the", "a", "an"}
)
_RELATIVISERS = frozenset({"that", "which", "who", "whom", "whose"})


@dataclass(frozen=True)
class NestedQuestion:
    """A question that names a thing only through another relation.

    Attributes:
        inner: the question whose answer is the bridge ("Which team owns the Billing Engine?").
        outer: the question with `{bridge}` where the nested phrase stood.
    """

    inner: str
    outer: str

    @property
    def asks_of_bridge(self) -> bool:
        """Whether the outer question asks something of the bridge ("Where was {bridge}
        born?"). "When did {bridge}?", left where the parser took the question's own verb
        into the clause, asks nothing: every sentence that names the bridge would answer it."""
        return asks_something(self.outer)


def asks_something(outer: str) -> bool:
    """An outer question has words of its own besides question and function words."""
    return any(w not in WH | _FUNCTION_WORDS for w in nlp_words(outer))


def split_nested(nlp: Language, question: str) -> NestedQuestion | None:
    """The inner and outer questions of "… the team that owns X …" or "… the product launched
    on DATE …", or None when no noun carries a relative clause or participle."""
    doc = parsed(nlp, question)
    found = _relative_clause(doc) or _participle(doc)
    if found is None:
        return _by_role(doc, question)
    noun, first, last = found
    head = " ".join(t.text for t in doc[_noun_start(doc, noun) : noun.i + 1] if t.pos_ != "DET")
    words = [t for t in doc[first : last + 1] if not t.is_punct]
    if words and words[0].lower_ in _RELATIVISERS:
        words = words[1:]
    # the clause as written: "INC-2025-011" keeps its hyphens, which the tokens lose
    body = question[words[0].idx : words[-1].idx + len(words[-1].text)] if words else ""
    if not body or not head:
        return None
    start = doc[_noun_start(doc, noun, determiners=True)].idx
    end = doc[last].idx + len(doc[last].text)
    outer = f"{question[:start]}{{bridge}}{question[end:]}"
    nested = NestedQuestion(f"Which {head} {body}?", outer)
    if not nested.asks_of_bridge:
        nested = _own_verb_returned(question, words, start, end, head) or nested
    # "Where was the director of film X born?" read with "X born" as a clause leaves "Where
    # was {bridge}?": the role of X is the better split, where there is one.
    return nested if nested.asks_of_bridge else _by_role(doc, question) or nested


def _own_verb_returned(
    question: str, words: list[Token], start: int, end: int, head: str
) -> NestedQuestion | None:
    """ "Where did the trainee brewer who joined in February work before?", parsed with "work
    before" in the clause (as "February work"), leaves "Where did {bridge}?": the last words
    of the clause, from a word that can be a verb, are the question's own, so long as the
    clause keeps a verb of its own."""
    for k in range(1, min(3, len(words) - 2) + 1):
        own, kept = words[-k], words[:-k]
        if own.pos_ not in ("VERB", "NOUN") or not any(t.pos_ == "VERB" for t in kept):
            continue
        body = question[kept[0].idx : kept[-1].idx + len(kept[-1].text)]
        outer = f"{question[:start]}{{bridge}} {question[own.idx : end]}{question[end:]}"
        nested = NestedQuestion(f"Which {head} {body}?", outer)
        if nested.asks_of_bridge:
            return nested
    return None


def _by_role(doc: Doc, question: str) -> NestedQuestion | None:
    """The split by a kinship, a role of something, or a possessed role."""
    return _kin_of(question) or _role_of(doc, question) or _possessed_role(question)


def _continues_title(doc: Doc, i: int) -> bool:
    """A capitalised word, a parenthesis, the "!" inside "Author! Author!" or a hyphen before
    a capitalised word still belongs to a title the parser cut short."""
    token = doc[i]
    if token.text == "!":
        return i + 1 < len(doc) and (doc[i + 1].is_title or doc[i + 1].text == "(")
    if token.text == "-":  # "The Half-Way Girl"
        return i + 1 < len(doc) and doc[i + 1].is_title
    return token.pos_ == "PROPN" or token.is_title or token.text == "("


# Verbs whose complement is a role its subject takes: the role names no one else.
_MADE_INTO = frozenset({"become", "as", "appoint", "name", "elect", "promote", "make", "remain"})


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
        if start > 0 and doc[start - 1].lemma_.lower() in _MADE_INTO:
            continue  # "When did X become head of Devices?": the role is what X became
        last = objects[0].right_edge.i
        while last + 1 < len(doc) and _continues_title(doc, last + 1):
            last += 1  # "film Polish Wedding": the small parser ends the object at "film"
            if doc[last].text == "(":  # "Fortunella (Film)": the parenthesis goes with it
                close = next((t.i for t in doc[last:] if t.text == ")"), last)
                last = close
        inside = doc[start : last + 1]
        unclosed = sum(t.text == "(" for t in inside) > sum(t.text == ")" for t in inside)
        if unclosed and last + 1 < len(doc) and doc[last + 1].text == ")":
            last += 1  # the parser ended the object inside "(Film)"
        if doc[last].text != ")":
            last = _clause_end(doc, last)
        end = doc[last].idx + len(doc[last].text)
        outer = f"{question[: doc[start].idx]}{{bridge}}{question[end:]}"
        if not asks_something(outer):
            continue  # "Who is the child of the performer of X?": the next role is nested
        role = question[doc[start].idx : end]
        return NestedQuestion(f"Who is {role}?", outer)
    return None


def _kin_of(question: str) -> NestedQuestion | None:
    """ "Who is the paternal grandmother of X?": the father of X, then his mother."""
    match = _KIN_OF.search(question)
    if match is None:
        return None
    inner, last = _KIN_CHAINS[match["relation"]]
    outer = f"{question[: match.start()]}the {last} of {{bridge}}{question[match.end() :]}"
    return NestedQuestion(f"Who is the {inner} of {match['owner']}?", outer)


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
        if asks_something(outer):
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
        if any(c.dep_ == "nsubj" and _asked(c) and noun in c.subtree for c in t.children):
            continue  # "How many days of leave come after ...": the question's own verb
        start = _noun_start(doc, noun, determiners=True)
        if start > 0 and doc[start - 1].pos_ in ("VERB", "ADP"):
            return noun, t.i, _clause_end(doc, len(doc) - 1)
    return None


def _asked(subject: Token) -> bool:
    """The subject is the asked phrase ("how many extra days of leave")."""
    return any(t.tag_ in ("WRB", "WDT", "WP") for t in subject.subtree)


def _clause_end(doc: Doc, last: int) -> int:
    """The clause's last token, without a closing question mark or comma."""
    while last > 0 and doc[last].is_punct:
        last -= 1
    return last


def _noun_start(doc: Doc, noun: Token, determiners: bool = False) -> int:
    """Where the noun's phrase starts: its compounds and adjectives (and determiners)."""
    allowed = {"NOUN", "ADJ", "PROPN", "NUM"} | ({"DET"} if determiners else set())
    start = noun.i
    while start > 0 and doc[start - 1].pos_ in allowed and doc[start - 1].lower_ not in WH:
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


@dataclass(frozen=True)
class SharedNationality:
    """ "Are the directors of films A and B from the same country?": each item's role holder,
    then whether they share a nationality.

    Attributes:
        role: the role of each item asked about ("director").
        items: the two things whose role holders are compared.
    """

    role: str
    items: tuple[str, str]


_ROLES = r"director|performer|composer|producer|author|writer|creator|founder|singer"
_WORKS = r"(?:the\s+)?(?:films?|movies?|songs?|albums?|books?|novels?)"
_AND = r"(?-i:\s+and\s+)"  # lower case: "The Pit And The Pendulum" is one title
_ASKED = r"\s+(?:both\s+)?(?:(?:are\s+)?from|share|have|of\s+the\s+same)\b"
_SAME_NATION = re.compile(r"\bsame (?:country|nationality)\b", re.IGNORECASE)
_SHARED_FORMS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "Are director of film A and director of film B both from the same country?"
        rf"^(?:are|do|did|were)\s+(?:the\s+)?(?P<role>{_ROLES})\s+of\s+(?:{_WORKS}\s+)?"
        rf"(?P<a>.+?){_AND}(?:the\s+)?(?P=role)\s+of\s+(?:{_WORKS}\s+)?(?P<b>.+?){_ASKED}",
        # "Are both directors of films A and B from the same country?"
        rf"^(?:are|do|did|were)\s+(?:both\s+|the\s+)?(?P<role>{_ROLES})s\s+of\s+(?:both\s+)?"
        rf"(?:{_WORKS}\s+)?(?P<a>.+?){_AND}(?P<b>.+?){_ASKED}",
        # "Do both films, A and B, have the directors who are from the same country?"
        rf"^(?:do|did)\s+both\s+(?:{_WORKS},?\s+)?(?P<a>.+?){_AND}(?P<b>.+?)"
        rf"(?-i:\s+(?:films|movies|songs|albums|books))?,?\s+have\s+(?:the\s+)?(?P<role>{_ROLES})s\b",
    )
)


def shared_nationality(question: str) -> SharedNationality | None:
    """The role holders whose nationalities a yes/no question compares, or None."""
    text = " ".join(question.split())
    if not _SAME_NATION.search(text):
        return None
    for form in _SHARED_FORMS:
        if match := form.match(text):
            items = (match["a"].strip(" ,"), match["b"].strip(" ,"))
            return SharedNationality(match["role"].lower(), items)
    return None
