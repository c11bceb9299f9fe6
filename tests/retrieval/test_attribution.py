"""A nationality is read only where it is said of the one the question asks about; a
sentence that says it ("X was an Italian film director") answers without the word
"nationality"; "are the directors of A and B from the same country?" goes through each
director."""

from collections.abc import Iterator

import pytest
from spacy.language import Language

from groundgraph import GroundGraph
from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.settings import IngestSettings
from groundgraph.retrieval.answering.attribution import belongs_to, demonyms_of, same_nation
from groundgraph.retrieval.questions.nested import SharedNationality, shared_nationality
from tests.conftest import store_of

DOCUMENTS = {
    "lena_dorn.md": "# Lena Dorn\n\nLena Maria Dorn (1902 – 1971) was an Austrian film "
    "director and screenwriter. She moved to Vienna in 1925.\n",
    "paul_vesk.md": "# Paul Vesk\n\nPaul Vesk (1899 – 1960) was an Austrian film director.\n",
    "tom_reed.md": "# Tom Reed\n\nTom Reed (1910 – 1980) was an Australian film director who "
    "worked in Sydney.\n",
    "grey_harbour.md": "# Grey Harbour\n\nGrey Harbour is a 1931 Australian drama film "
    "directed by Lena Dorn.\n",
    "the_salt_road.md": "# The Salt Road\n\nThe Salt Road is a 1934 drama film directed by "
    "Paul Vesk.\n",
    "night_ferry.md": "# Night Ferry\n\nNight Ferry is a 1940 Austrian drama film directed by "
    "Tom Reed.\n",
}


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "films", DOCUMENTS) as gg:
        yield gg


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


def test_a_sentence_that_describes_someone_by_nationality_states_it(nlp: Language) -> None:
    span = next(iter(nlp("Ken George Hall (1901 – 1994) was an Australian film director.").sents))
    said = demonyms_of(span, [(e.text, e.label_) for e in span.ents], ("Ken Hall",))
    assert said == {"Australian"}  # named by first and last name
    faith = next(iter(nlp("Ken Hall was one of the best known Muslim directors.").sents))
    assert not demonyms_of(faith, [(e.text, e.label_) for e in faith.ents], ("Ken Hall",))


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ({"Italian"}, {"Italy"}, True),
        ({"English"}, {"British"}, True),
        ({"German"}, {"Austrian", "German"}, True),
        ({"Austrian"}, {"Australian"}, False),
        ({"French"}, {"Spanish"}, False),
        ({"Austrian-"}, {"German"}, None),  # "an Austrian- German- …" cut short: not known
        ({"Italian"}, set(), None),
    ],
)
def test_nationalities_are_compared_by_the_nations_they_name(
    first: set[str], second: set[str], same: bool | None
) -> None:
    assert same_nation(first, second) is same


def test_a_same_country_question_about_role_holders_is_read_by_its_wording() -> None:
    assert shared_nationality(
        "Are the directors of both films Grey Harbour and The Pit And The Pendulum from the "
        "same country?"
    ) == SharedNationality("director", ("Grey Harbour", "The Pit And The Pendulum"))
    assert shared_nationality(
        "Do both films, Grey Harbour and Night Ferry, have the directors who are from the same "
        "country?"
    ) == SharedNationality("director", ("Grey Harbour", "Night Ferry"))
    assert shared_nationality("Are Grey Harbour and Night Ferry from the same country?") is None


def test_a_nationality_is_answered_from_a_sentence_that_describes_the_person(
    films: GroundGraph,
) -> None:
    answer = films.ask("What nationality is Lena Dorn?")
    assert answer.grounded and answer.short == "Austrian"
    assert answer.citations[0].document.endswith("lena_dorn.md")


@pytest.mark.parametrize(
    ("question", "short"),
    [
        (
            "Are the directors of both films Grey Harbour and The Salt Road from the same country?",
            "Yes",
        ),
        (
            "Are the directors of both films Grey Harbour and Night Ferry from the same country?",
            "No",
        ),
    ],
)
def test_the_directors_nationalities_not_the_films_decide(
    films: GroundGraph, question: str, short: str
) -> None:
    # Grey Harbour is an Australian film by an Austrian director; Night Ferry the reverse.
    answer = films.ask(question)
    assert answer.grounded and answer.short == short, answer
    assert answer.text.startswith(f"{short}. ")
    cited = {c.document.rsplit("/", 1)[-1] for c in answer.citations}
    directors = (
        {"lena_dorn.md", "paul_vesk.md"} if short == "Yes" else {"lena_dorn.md", "tom_reed.md"}
    )
    assert directors <= cited
