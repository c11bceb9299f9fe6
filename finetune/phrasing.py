"""Questions in plain English from a relation's predicate: the wording examples are asked in.

Predicates are verb lemmas with an optional preposition (`discover`, `die in`, `bear in`) or
nouns that take "of" (`capital of`). "Where did Pierre Curie die?" and "Who discovered
polonium?" teach a model what users ask; "What does Pierre Curie die in?" taught it nothing
but the template.
"""

_PAST = {
    "be": "was",
    "bear": "born",
    "become": "became",
    "begin": "began",
    "build": "built",
    "buy": "bought",
    "come": "came",
    "do": "did",
    "find": "found",
    "get": "got",
    "give": "gave",
    "go": "went",
    "have": "had",
    "hold": "held",
    "know": "knew",
    "lead": "led",
    "leave": "left",
    "lose": "lost",
    "make": "made",
    "meet": "met",
    "run": "ran",
    "say": "said",
    "see": "saw",
    "sell": "sold",
    "send": "sent",
    "sing": "sang",
    "speak": "spoke",
    "take": "took",
    "teach": "taught",
    "think": "thought",
    "win": "won",
    "write": "wrote",
}
PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
PERSON_TYPES = frozenset({"PERSON"})
_PLACE_PREPOSITIONS = frozenset({"in", "at", "to", "near", "from", "into"})


def past(verb: str) -> str:
    """The simple past of a verb lemma ("discover" → "discovered", "win" → "won")."""
    if verb in _PAST:
        return _PAST[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def _who(entity_type: str) -> str:
    return "Who" if entity_type in PERSON_TYPES else "What"


def object_question(subject: str, predicate: str, target_type: str) -> str:
    """A question whose answer is the relation's target."""
    words = predicate.split()
    verb, preposition = words[0], " ".join(words[1:])
    if predicate.endswith(" of") and len(words) == 2:
        return f"{subject} is the {verb} of what?"
    if verb == "bear":
        return (
            f"Where was {subject} born?"
            if target_type in PLACE_TYPES
            else (f"When was {subject} born?")
        )
    if preposition in _PLACE_PREPOSITIONS and target_type in PLACE_TYPES:
        return f"Where did {subject} {verb}?"
    asked = "Who" if target_type in PERSON_TYPES else "What"
    tail = f" {preposition}" if preposition else ""
    return f"{asked} did {subject} {verb}{tail}?"


def subject_question(target: str, predicate: str, subject_type: str) -> str | None:
    """A question whose answer is the relation's source, or None when the wording would
    not name one thing ("Who was born in Paris?")."""
    words = predicate.split()
    verb, preposition = words[0], " ".join(words[1:])
    if predicate.endswith(" of") and len(words) == 2:
        return f"What is the {verb} of {target}?"
    if verb in ("bear", "be") or preposition in _PLACE_PREPOSITIONS:
        return None
    tail = f" {preposition}" if preposition else ""
    return f"{_who(subject_type)} {past(verb)}{tail} {target}?"


def description(subject: str, predicate: str) -> str:
    """A noun phrase for a relation's target through its source: "the place where Alfred
    Nobel was born", "the thing Otto Hahn received"."""
    words = predicate.split()
    verb, preposition = words[0], " ".join(words[1:])
    if predicate.endswith(" of") and len(words) == 2:
        return f"the place {subject} is the {verb} of"
    if verb == "bear":
        return f"the place where {subject} was born"
    tail = f" {preposition}" if preposition else ""
    return f"the one {subject} {past(verb)}{tail}"
