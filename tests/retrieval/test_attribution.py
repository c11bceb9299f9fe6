"""A nationality is read only where it is said of the one the question asks about."""

import pytest
from spacy.language import Language

from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.settings import IngestSettings
from groundgraph.retrieval.answering.attribution import belongs_to


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_spacy(IngestSettings().spacy_model)


@pytest.mark.parametrize(
    ("sentence", "value", "said"),
    [
        ("Overland is a 1954 Australian documentary directed by Ken Hall.", "Australian", False),
        ("Ken Hall was an Australian film director and producer.", "Australian", True),
        ("He was an Australian film director.", "Australian", True),
        ("The Australian director Ken Hall made the film in 1954.", "Australian", True),
        ("Ken Hall was born in Sydney, Australia, in 1901.", "Australia", True),
        ("The film has sequences shot in Australia by Ken Hall.", "Australia", False),
    ],
)
def test_a_nationality_belongs_to_the_clause_it_is_said_in(
    nlp: Language, sentence: str, value: str, said: bool
) -> None:
    span = next(iter(nlp(sentence).sents))
    assert belongs_to(span, value, ("Ken Hall",)) is said
