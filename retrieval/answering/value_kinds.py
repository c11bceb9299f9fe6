"""Which of the recogniser's labels fit the kind of value a question asks for: shared by the
reading of sentences (`value_spans.py`) and of table rows and label lines (`cell_values.py`)."""

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
NUMERIC = frozenset({"MONEY", "QUANTITY", "CARDINAL", "PERCENT"})
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "PRODUCT", "GPE", "LOC", "FAC", "NORP", "WORK_OF_ART", "EVENT", "LAW"}
)
