"""Entity resolution within a document, and the normalised names entities meet by."""

import pytest

from groundgraph.ingest.base import EntitySpan
from groundgraph.ingest.resolution import ACRONYM, CONTAINED_NAME, normalise, resolve


def spans(*items: tuple[str, str]) -> list[EntitySpan]:
    return [EntitySpan(i, i + len(text), text, label) for i, (text, label) in enumerate(items)]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Marie Curie", "marie curie"),
        ("MARIE  CURIE", "marie curie"),
        ("Curie's", "curie"),
        ("Curie’s", "curie"),
        ("the University of Paris", "university of paris"),
        ("The E.T.H.", "e t h"),
        ("Kraków", "kraków"),
    ],
)
def test_normalise_folds_case_punctuation_possessives_and_articles(name: str, key: str) -> None:
    assert normalise(name) == key


def test_shorter_name_merges_into_the_longer_name_of_the_same_type() -> None:
    found = resolve(spans(("Marie Curie", "PERSON"), ("Curie", "PERSON"), ("Paris", "GPE")))
    assert [m.name for m in found] == ["Marie Curie", "Marie Curie", "Paris"]
    assert found[1].surface == "Curie"  # the merged form is recorded


def test_shorter_name_does_not_merge_across_types() -> None:
    found = resolve(spans(("Paris", "GPE"), ("University of Paris", "ORG")))
    assert [m.key for m in found] == ["paris", "university of paris"]


def test_ambiguous_short_name_stays_itself() -> None:
    found = resolve(
        spans(("Marie Curie", "PERSON"), ("Pierre Curie", "PERSON"), ("Curie", "PERSON"))
    )
    assert found[2].name == "Curie"


def test_acronym_merges_into_the_name_it_abbreviates() -> None:
    found = resolve(
        spans(
            ("International Business Machines", "ORG"),
            ("IBM", "ORG"),
            ("Federal Bureau of Investigation", "ORG"),
            ("FBI", "ORG"),
        )
    )
    assert [m.name for m in found] == [
        "International Business Machines",
        "International Business Machines",
        "Federal Bureau of Investigation",
        "Federal Bureau of Investigation",
    ]


def test_most_frequent_label_wins_within_a_document() -> None:
    found = resolve(spans(("Poland", "GPE"), ("Poland", "GPE"), ("Poland", "ORG")))
    assert {m.type for m in found} == {"GPE"}


def test_each_merged_occurrence_records_the_rule_that_merged_it() -> None:
    found = resolve(
        spans(
            ("Marie Curie", "PERSON"),
            ("Curie", "PERSON"),
            ("International Business Machines", "ORG"),
            ("IBM", "ORG"),
        )
    )
    assert [m.rule for m in found] == ["", CONTAINED_NAME, "", ACRONYM]


def test_a_pair_a_person_kept_apart_never_merges() -> None:
    found = resolve(
        spans(("Tom Baker", "PERSON"), ("Baker", "PERSON"), ("IBM", "ORG")),
        kept_apart=frozenset({("baker", "tom baker")}),
    )
    assert [(m.key, m.rule) for m in found] == [("tom baker", ""), ("baker", ""), ("ibm", "")]
