"""Whether a sentence states a person as the asked relative of the one the question names.

"Who is X's father?" read from "X was the son of A and B" is A, never B (the father is named
first, as biographies do, unless a title says otherwise: "Princess A and B"; a parent named
alone may be either); from "He married C, the daughter of D" it is nobody, and "his parents
were A and his wife B" names no wife of X. A sentence that names several people around a
kinship word says which is which by where each stands: the first of "son of A and B" is the
father, the one after "and" (or "his wife") the mother, whoever follows "married" the
spouse. A value that stands nowhere the asked relation puts it is not stated in that role,
and is not read."""

from __future__ import annotations

import re

from groundgraph.ingest.resolution import normalise

PARENT, CHILD, SPOUSE, SIBLING = "parent", "child", "spouse", "sibling"
# The relative asked for, by the word the question asks with, and which of a couple it is.
ASKED = {
    "father": (PARENT, "first"),
    "mother": (PARENT, "second"),
    "parent": (PARENT, ""),
    "son": (CHILD, ""),
    "daughter": (CHILD, ""),
    "child": (CHILD, ""),
    "husband": (SPOUSE, ""),
    "wife": (SPOUSE, ""),
    "spouse": (SPOUSE, ""),
    "marry": (SPOUSE, ""),
    "brother": (SIBLING, ""),
    "sister": (SIBLING, ""),
    "sibling": (SIBLING, ""),
}
_OFFSPRING = r"(?:son|daughter|child|heir|issue)"
_CHILD_WORDS = r"(?:son|daughter|child|children|heir)"
_SPOUSE_WORDS = r"(?:wife|husband|spouse|consort)"
_SPOUSE_OF = r"(?:wife|husband|widow|consort)"
_SIBLING_WORDS = r"(?:brother|sister|sibling)"
# "son of A(, titles) and (of his wife) B": the first parent named, then the second.
_TITLE_OF = re.compile(r"[A-Z]\w+ of ", re.IGNORECASE)  # "Count of Dreux", "Duke of Medina Sidonia"
_COUPLE = re.compile(
    rf"\b{_OFFSPRING}s?\s+of\s+(?P<first>[^.;]*?)"
    r"(?:,?\s+and\s+(?:of\s+)?(?:his\s+wife,?\s+|her\s+husband,?\s+)?(?P<second>[^.;]*))?"
    r"(?:[.;]|$)",
    re.IGNORECASE,
)
# "son of writer, doctor and diplomat Friedrich Wolf": what the parent was, before the name,
# is not a list of parents.
_OCCUPATIONS = re.compile(
    rf"(\b{_OFFSPRING}s?\s+of\s+)(?:(?:the|a|an)\s+)?(?:[a-z][\w-]*(?:,\s*|\s+and\s+|\s+))+"
    r"(?=[A-Z])"
)
# "he was not the son of his then-wife Empress Wang"
_NEGATED = re.compile(r"\bnot\s+(?:(?:the|a|an)\s+)?(?:\w+\s+)?$")
_PRONOUN = re.compile(r"\b(?:he|she|his|her|who|they|their)\b", re.IGNORECASE)
_GAP = r"[^.;]{0,60}?"  # a stretch of the same clause: names, titles, dates in brackets
# "his father, the art dealer René Gimpel": lower-case words before the name.
_EPITHET = r"(?:(?:the\s+)?(?:[a-z][\w-]*\s+){0,3})?"
# A full stop that ends no sentence: "Dr. William Barnard", "John F. Kennedy".
_ABBREVIATION = re.compile(r"\b(Dr|St|Mr|Mrs|Ms|Jr|Sr|Rev|Gen|Col|Capt|Lt|Fr|[A-Z])\.(?=\s)")
# "Greta Moen, the (eldest) daughter of": a name the kinship word is said of.
_APPOSED = re.compile(
    r"(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
    r"\s*,?\s+(?:the|a|an)\s+(?:[a-z]+\s+)?$"
)
# Titles that say a parent is a woman or a man, whichever of a couple is named first.
_WOMEN = re.compile(r"^(?:Queen|Princess|Empress|Duchess|Countess|Lady|Archduchess|Infanta|Dame)\b")
_MEN = re.compile(r"^(?:King|Prince|Emperor|Duke|Count|Lord|Archduke|Infante|Sir)\b")
# "His parents were A and his wife B": the wife is the parent's, not the subject's.
_PARENTS_FIRST = re.compile(
    rf"\b(?:parents\s+were|{_OFFSPRING}s?\s+of)\b[^.;]*\b(?:his|her)\s+{_SPOUSE_WORDS}\b",
    re.IGNORECASE,
)
_NAME_FILLER = frozenset({"of", "the", "and", "de", "von", "van", "la", "del"})


def asked_relative(words: frozenset[str]) -> tuple[str, str] | None:
    """The relative a question asks for (kind, and `first`/`second` of a couple), from its
    relation words; None unless exactly one kinship word is asked."""
    asked = {ASKED[w] for w in words if w in ASKED}
    return asked.pop() if len(asked) == 1 else None


def states_relative(
    relative: tuple[str, str], subject_names: tuple[str, ...], value: str, sentence: str
) -> bool:
    """Whether `sentence` states `value` as the subject's asked relative."""
    kind, which = relative
    value = value.rstrip(" .,;")
    text = _ABBREVIATION.sub(r"\1", " ".join(sentence.split()))
    if kind == PARENT:
        return _parent(which, subject_names, value, text)
    if kind == CHILD:
        return _named_as(_CHILD_WORDS, value, text) or _relative_of(
            _OFFSPRING, subject_names, value, text
        )
    if kind == SPOUSE:
        married = re.search(
            rf"\b(?:married|marriage\s+to|wed)\s+(?:to\s+)?{re.escape(value)}", text
        )
        if married:
            return _refers_before(text[: married.start()], subject_names)
        if (parents := _PARENTS_FIRST.search(text)) and value in text[parents.end() :]:
            return False
        return _named_as(_SPOUSE_WORDS, value, text) or _relative_of(
            _SPOUSE_OF, subject_names, value, text
        )
    return _named_as(_SIBLING_WORDS, value, text)


def _parent(which: str, subject_names: tuple[str, ...], value: str, text: str) -> bool:
    """ "(he was the) son of A and (his wife) B": A is the father, B the mother; "his father,
    (the dealer) A"."""
    listed = _OCCUPATIONS.sub(r"\1", text)
    for match in _COUPLE.finditer(listed):
        before = listed[: match.start()]
        if not _refers_before(before, subject_names) or _NEGATED.search(before):
            continue
        first, second = match["first"], match["second"] or ""
        if any(_whole_name_in(part, subject_names) for part in (first, second)):
            continue  # "the daughter of Otto von Habsburg and Princess Regina": his child's
        if not re.match(r"[A-Z\u00c0-\u00de]|(?:his|her)\b", second):
            second = ""  # "son of A and was created crown prince": one parent named
        if _WOMEN.match(first.strip()) or _MEN.match(second.strip()):
            first, second = second, first  # "daughter of Princess Madeleine and Christopher"
        if not second or which == "":  # one parent named: father or mother alike
            found = _leads(first, value) or _leads(second, value)
        else:
            found = _leads(first if which == "first" else second, value)
        if found:
            return True
    said = {"first": "father", "second": "mother"}.get(which, "(?:father|mother|parent)")
    return _named_as(said, value, text)


def _named_as(words: str, value: str, text: str) -> bool:
    """ "his brother Arne Berg", "a French father, the art dealer René Gimpel"."""
    said = rf"\b(?:his|her|their|a|an)\s+(?:\w+\s+)?{words}s?,?\s+{_EPITHET}{re.escape(value)}"
    return re.search(said, text, re.IGNORECASE) is not None


def _relative_of(words: str, subject_names: tuple[str, ...], value: str, text: str) -> bool:
    """ "Greta Moen, (the) daughter of Jens Moen" read for Jens Moen's child: the value, then
    the kinship word, then the subject."""
    found = re.search(rf"{re.escape(value)}{_GAP}\b{words}\s+of\s+(?P<rest>[^.;]*)", text, re.I)
    return found is not None and _names_one_of(found["rest"], subject_names)


def _leads(names: str, value: str) -> bool:
    """Whether `value` is in the first name a list of names gives ("A, Count of B" names A
    first; in "A, Count of B, and C" C is not first)."""
    start = names.find(value)
    return start >= 0 and "," not in names[:start] and " and " not in names[:start]


def _refers_before(text: str, subject_names: tuple[str, ...]) -> bool:
    """The clause before the kinship word is about the subject: it names them or refers to
    them by a pronoun, and the kinship word is not in apposition to someone else ("He
    married Greta Moen, the daughter of ..." is about Greta Moen's parents)."""
    apposed = _APPOSED.search(text)
    if apposed and not _names_one_of(apposed["name"], subject_names):
        return False
    return bool(_PRONOUN.search(text)) or _names_one_of(text, subject_names)


def _whole_name_in(text: str, names: tuple[str, ...]) -> bool:
    """One of the names, every word of it, in `text`: the subject listed as a parent. A
    title the question gives as a name of its own ("Count of Dreux" of "Robert II, Count of
    Dreux") is no person: his father was a count of Dreux too."""
    padded = f" {normalise(text)} "
    return any(
        normalise(n) and not _TITLE_OF.match(n) and f" {normalise(n)} " in padded for n in names
    )


def _names_one_of(text: str, names: tuple[str, ...]) -> bool:
    """`text` gives one of the names or a word of one (a name is shortened in its own
    article: "Robert III of Dreux" for "Robert III, Count of Dreux", "Patterson" for "Bill
    Patterson")."""
    padded = f" {normalise(text)} "
    for name in names:
        words = [w for w in normalise(name).split() if len(w) > 2 and w not in _NAME_FILLER]
        if any(f" {w} " in padded for w in words):
            return True
    return False
