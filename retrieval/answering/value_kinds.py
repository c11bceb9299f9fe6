"""Which of the recogniser's labels fit the kind of value a question asks for: shared by the
reading of sentences (`value_spans.py`) and of table rows and label lines (`cell_values.py`)."""

import re

from groundgraph.ingest.dates import MONTHS, dates_in

# "Which engineer ...": a named thing that is a person.
PERSON_NOUNS = frozenset(
    {
        "person",
        "engineer",
        "manager",
        "employee",
        "member",
        "lead",
        "leader",
        "director",
        "officer",
        "author",
        "writer",
        "founder",
        "explorer",
        "scientist",
        "artist",
        "player",
    }
)
# "Who is the lead vet ...": the role is the noun after "who is", its article and up to two
# words that qualify it.
_WHO_IS = r"who\s+(?:is|was|are|were)\s+(?:(?:the|a|an)\s+)?(?:[\w-]+\s+){{0,2}}?{noun}\b"


def asked_role(noun: str, question: str) -> bool:
    """A noun for a person that the question asks who holds: one of `PERSON_NOUNS`, or the
    noun said right after "who is" ("Who was head brewer ...?", "Who is the lead vet at
    ...?"; not the asker's "new starter" of "Who should a new starter ask for?")."""
    if noun in PERSON_NOUNS:
        return True
    holder = _WHO_IS.format(noun=re.escape(noun))
    return re.match(holder, question.lower()) is not None


MONTH_NAMES = re.compile(
    "|".join(rf"\b{m}\b" for m in sorted(MONTHS, key=len, reverse=True)), re.IGNORECASE
)
_WHEN_WORDS = re.compile(
    r"\b(?:\d{3,4}s?|\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm)|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"spring|summer|autumn|winter|century|decade|noon|midnight|\d{4}-\d\d-\d\d)\b",
    re.IGNORECASE,
)
NUMERIC = frozenset({"MONEY", "QUANTITY", "CARDINAL", "PERCENT"})
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "PRODUCT", "GPE", "LOC", "FAC", "NORP", "WORK_OF_ART", "EVENT", "LAW"}
)


def names_a_time(value: str) -> bool:
    """A value that says when: a year, a month, a day of the week, a time of day or a season;
    not "25" of "over 25" nor "next year's" of "next year's grant"."""
    return bool(dates_in(value) or MONTH_NAMES.search(value) or _WHEN_WORDS.search(value))
