"""Relatives read in the role the question asks: the father is not the mother named beside
him, a grandparent is two hops (each stated), an in-law goes through the spouse, and a
second hop is never read from a sentence about someone else."""

from collections.abc import Iterator

import pytest

from groundgraph import GroundGraph
from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.settings import IngestSettings
from groundgraph.retrieval.answering.kinship import asked_relative, states_relative
from groundgraph.retrieval.questions.nested import NestedQuestion, split_nested
from tests.conftest import store_of

DOCUMENTS = {
    "edda_varg.md": "# Edda Varg\n\nEdda Varg (1921 – 1990) was a Norwegian engraver. She was "
    "the daughter of Harald Varg and his wife Sigrid Lund.\n",
    "harald_varg.md": "# Harald Varg\n\nHarald Varg (1890 – 1961) was a shipbuilder in "
    "Stavanger. He was the son of Olav Varg, a timber merchant.\n",
    "olav_varg.md": "# Olav Varg\n\nOlav Varg was a timber merchant. He died in Bergen in 1921.\n",
    "sigrid_lund.md": "# Sigrid Lund\n\nSigrid Lund was a weaver from Voss.\n",
    "piet_aal.md": "# Piet Aal\n\nPiet Aal was a Dutch cartographer. He married Greta Moen, "
    "the daughter of the painter Jens Moen.\n",
    "jens_moen.md": "# Jens Moen\n\nJens Moen was a painter of fjords. He died in Paris in 1935.\n",
    # no heading: the page's subject is only its first sentence's
    "anne_holt.txt": "Anne Holt was a weaver who trained under Sigrid Lund. She died in "
    "Trondheim in 1970.\n",
    "nils_berg.md": "# Nils Berg\n\nNils Berg is a pilot who flies between Tromsø and "
    "Svalbard. His brother Arne Berg flies for the same airline.\n",
}


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "family", DOCUMENTS) as gg:
        yield gg


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("Who is Edda Varg's father?", "Harald Varg"),
        ("Who is the mother of Edda Varg?", "Sigrid Lund"),
        ("Who is Edda Varg's paternal grandfather?", "Olav Varg"),
        ("Who is the father-in-law of Piet Aal?", "Jens Moen"),
        ("Who did Piet Aal marry?", "Greta Moen"),
    ],
)
def test_a_relative_is_read_in_the_asked_role(
    family: GroundGraph, question: str, short: str
) -> None:
    answer = family.ask(question)
    assert answer.grounded, answer
    assert answer.short == short


def test_a_grandparent_cites_both_generations(family: GroundGraph) -> None:
    answer = family.ask("Who is Edda Varg's paternal grandfather?")
    cited = {c.text for c in answer.citations}
    assert "He was the son of Olav Varg, a timber merchant." in cited
    assert any("daughter of Harald Varg" in text for text in cited)


def test_a_person_named_beside_the_relation_is_not_that_relative(family: GroundGraph) -> None:
    # Piet Aal's page names his wife and her father; neither is his mother.
    answer = family.ask("Who is Piet Aal's mother?")
    assert not answer.grounded, answer


def test_the_second_hop_is_not_read_from_a_sentence_about_someone_else(
    family: GroundGraph,
) -> None:
    assert family.ask("Where did Harald Varg's father die?").short == "Bergen"
    # Edda Varg's mother is Sigrid Lund; "She died in Trondheim" is Anne Holt's death, on the
    # page of Anne Holt that names Sigrid Lund as her teacher.
    assert not family.ask("Where did Edda Varg's mother die?").grounded
    assert not family.ask("Where did Sigrid Lund die?").grounded


def test_kinship_questions_split_into_the_relatives_they_go_through() -> None:
    nlp = load_spacy(IngestSettings().spacy_model)
    assert split_nested(nlp, "Who is the paternal grandmother of Edda Varg?") == NestedQuestion(
        "Who is the father of Edda Varg?", "Who is the mother of {bridge}?"
    )
    assert split_nested(nlp, "Who is Robert III, Count of Dreux's maternal grandfather?") == (
        NestedQuestion("Who is Robert III, Count of Dreux's mother?", "Who is {bridge}'s father?")
    )
    assert split_nested(nlp, "Who is the father-in-law of Piet Aal?") == NestedQuestion(
        "Who is the spouse of Piet Aal?", "Who is the father of {bridge}?"
    )
    assert split_nested(nlp, "Who is Edda Varg's father?") is None


PARENTS = "She was the daughter of Harald Varg and his wife Sigrid Lund."
MARRIED = "He married Joanna, the daughter of Johann II."
BROTHER = "His brother Arne Berg flies for the same airline."


@pytest.mark.parametrize(
    ("asked", "value", "sentence", "stated"),
    [
        ("father", "Harald Varg", PARENTS, True),
        ("father", "Sigrid Lund", PARENTS, False),
        ("mother", "Sigrid Lund", PARENTS, True),
        ("mother", "Karin Holm", "He was the son of the singer Karin Holm.", True),
        (
            "father",
            "William Barnard",
            "He was the eldest son of Dr. William Barnard, a bishop.",
            True,
        ),
        ("father", "René Gimpel", "He was a son of a French father, the dealer René Gimpel.", True),
        ("father", "Olav Varg", "They were sons of the architect Olav Varg.", True),
        (
            "father",
            "Olav Varg",
            "He was the son of writer, doctor and diplomat Olav Varg, and the brother of Nils.",
            True,
        ),
        (
            "father",
            "Nils Berg",
            "He was the son of Olav Varg, and the brother of Nils Berg.",
            False,
        ),
        ("mother", "Joanna", MARRIED, False),
        ("mother", "Johann II", "He married Joanna Lund the daughter of Johann II.", False),
        ("mother", "Princess Ada", "She is the daughter of Princess Ada and Olav Varg.", True),
        ("father", "Princess Ada", "She is the daughter of Princess Ada and Olav Varg.", False),
        (
            "mother",
            "Ida Lund",
            "He was the son of Olav Varg, though not the son of Ida Lund.",
            False,
        ),
        (
            "mother",
            "Ida Lund",
            "He was the son of Olav Varg and was crowned in 652 with his wife Ida Lund.",
            False,
        ),
        ("spouse", "Ida Lund", "His parents were Olav Varg and his wife Ida Lund.", False),
        (
            "mother",
            "Ida Lund",
            "Tove Varg (born 1950), the daughter of Edda Varg and Ida Lund, is a potter.",
            False,  # Edda Varg's child's parents: Ida Lund is no mother of Edda Varg
        ),
        ("spouse", "Joanna", MARRIED, True),
        ("spouse", "Johann II", MARRIED, False),
        ("brother", "Arne Berg", BROTHER, True),
        ("son", "Arne Berg", BROTHER, False),
    ],
)
def test_a_sentence_states_a_relative_by_where_the_name_stands(
    asked: str, value: str, sentence: str, stated: bool
) -> None:
    relative = asked_relative(frozenset({asked}))
    assert relative is not None
    assert states_relative(relative, ("Edda Varg",), value, sentence) is stated


def test_a_title_the_question_gives_as_a_name_is_no_parent_listed() -> None:
    relative = asked_relative(frozenset({"father"}))
    assert relative is not None
    sentence = "He was the son of Robert I, Count of Dreux and Agnes of Baudement."
    names = ("Robert II", "Count of Dreux")
    assert states_relative(relative, names, "Robert I, Count of Dreux", sentence)
