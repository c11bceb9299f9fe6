"""The extractive answer on a corpus written to be hard for it: answers whose subject is a
pronoun or a possessive, wording unlike the question's, facts split over two documents, and
a question the documents do not answer."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from groundgraph import GroundGraph
from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.settings import IngestSettings
from groundgraph.retrieval.answering.extractive import NO_ANSWER
from groundgraph.retrieval.questions.kinds import PERSON, PLACE, question_shape
from groundgraph.retrieval.questions.nested import NestedQuestion, split_nested
from groundgraph.retrieval.questions.terms import read_question
from tests.conftest import store_of

INGEST = IngestSettings()
DOCUMENTS = {
    "tomas_brandt.md": "# Tomas Brandt\n\nTomas Brandt is a Danish violinist who records for "
    "small labels. He was the son of the singer Karin Holm.\n",
    "nordvik_tools.md": "# Nordvik Tools\n\nNordvik Tools is a maker of hand tools that was "
    "founded in Bergen. In 1998 its headquarters moved to Oslo.\n",
    "lake_varn.md": "# Lake Varn\n\nLake Varn is a cold lake in the Halden hills. It was named "
    "by the explorer Ida Marsk.\n",
    "ida_marsk.md": "# Ida Marsk\n\nIda Marsk was a surveyor and mountaineer. She was born in "
    "Tromsø in 1851.\n",
    "cobalt_ridge.md": "# Cobalt Ridge Observatory\n\nThe Cobalt Ridge Observatory is a "
    "telescope site on a dry plateau. Its first director was the astronomer Piet Vos.\n",
    "harmon_bridge.md": "# Harmon Bridge\n\nThe Harmon Bridge crosses the river Lenne. It was "
    "opened to traffic in 1932.\n",
    "karin_holm.md": "# Karin Holm\n\nKarin Holm was a soprano who sang at the Royal Danish "
    "Opera for twenty years.\n",
    "piet_vos.md": "# Piet Vos\n\nPiet Vos studied the variable stars of the southern sky.\n",
}

# (question, the sentence the answer must cite, the short answer)
ANSWERED = [
    ("Who was Tomas Brandt's mother?", "He was the son of the singer Karin Holm.", "Karin Holm"),
    ("Which city did Nordvik Tools move to?", "In 1998 its headquarters moved to Oslo.", "Oslo"),
    (
        "Who was the first director of the Cobalt Ridge Observatory?",
        "Its first director was the astronomer Piet Vos.",
        "Piet Vos",
    ),
    ("When did the Harmon Bridge open?", "It was opened to traffic in 1932.", "1932"),
    (
        "Where was the explorer who named Lake Varn born?",
        "She was born in Tromsø in 1851.",
        "Tromsø",
    ),
]


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "hard", DOCUMENTS) as gg:
        yield gg


@pytest.mark.parametrize(("question", "sentence", "short"), ANSWERED)
def test_the_answer_cites_the_sentence_that_states_it(
    hard: GroundGraph, question: str, sentence: str, short: str
) -> None:
    answer = hard.ask(question)
    assert answer.grounded, answer
    assert answer.citations[0].text == sentence
    assert answer.short == short
    source = Path(answer.citations[0].document.removeprefix("file://")).read_text("utf-8")
    assert source[answer.citations[0].start : answer.citations[0].end] == sentence


def test_a_two_document_answer_cites_both_hops_second_hop_first(hard: GroundGraph) -> None:
    answer = hard.ask("Where was the explorer who named Lake Varn born?")
    assert [Path(c.document).name for c in answer.citations] == ["ida_marsk.md", "lake_varn.md"]
    assert "named by the explorer Ida Marsk" in answer.citations[1].text


def test_a_question_the_documents_do_not_answer_gets_no_answer(hard: GroundGraph) -> None:
    answer = hard.ask("How many people live near Lake Varn?")
    assert not answer.grounded and answer.text == NO_ANSWER and answer.citations == ()


def test_a_sentence_of_the_wrong_kind_does_not_answer(hard: GroundGraph) -> None:
    # The lake's document is found, but nothing in it is a date.
    answer = hard.ask("When was Lake Varn named?")
    assert not answer.grounded


def test_question_shapes_read_the_wording() -> None:
    assert question_shape("Who was Tomas Brandt's mother?").answer_types == PERSON
    nlp = load_spacy(INGEST.spacy_model)
    nested = split_nested(nlp, "Where was the explorer who named Lake Varn born?")
    assert nested == NestedQuestion("Which explorer named Lake Varn?", "Where was {bridge} born?")
    assert split_nested(nlp, "Where was Ida Marsk born?") is None
    bracketed = split_nested(nlp, "Who is the mother of the director of Polish Wedding (Film)?")
    assert bracketed == NestedQuestion(
        "Who is the director of Polish Wedding (Film)?", "Who is the mother of {bridge}?"
    )
    exclaimed = split_nested(nlp, "Where was the director of film Author! Author! (Film) born?")
    assert exclaimed == NestedQuestion(
        "Who is the director of film Author! Author! (Film)?", "Where was {bridge} born?"
    )
    assert question_shape("Where was Ida Marsk born?").answer_types == PLACE
    either = question_shape("Which opened first, the Harmon Bridge or Nordvik Tools?")
    assert either.items == ("the Harmon Bridge", "Nordvik Tools") and either.order == "earlier"
    titled = question_shape("Which film came out first, Murder, She Said or Grey Harbour?")
    assert titled.items == ("Murder, She Said", "Grey Harbour")
    both = question_shape("Are Karin Holm and Tomas Brandt both Danish?")
    assert both.polar and both.items == ("Karin Holm", "Tomas Brandt")


def test_words_that_name_the_answer_or_the_work_are_not_relation_words() -> None:
    nlp = load_spacy(INGEST.spacy_model)
    # "took his place in the House of Lords" does not say where anyone died
    assert read_question(nlp, "Where was the place of death of Ida Marsk?").words == {"death"}
    # "a song recorded by X" does not say who composed it
    composed = read_question(nlp, "Who is the composer of song Grey Harbour Lights?")
    assert composed.words == {"composer"}
