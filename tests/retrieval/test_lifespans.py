"""Birth and death dates (and places, where the range gives them) read from the range after a
person's name, which states both without the words "born" or "died"; only the range after the
asked person's own name."""

from collections.abc import Iterator

import pytest

from groundgraph import GroundGraph
from groundgraph.retrieval.answering.lifespans import opening_lifespan, stated_by_range
from tests.conftest import store_of

DOCUMENTS = {
    "clara_voss.md": "# Clara Voss\n\nClara Maria Voss (May 10, 1890 – August 17, 1957) was a "
    "film director from Hamburg.\n",
    "otto_brand.md": "# Otto Brand\n\nOtto Brand (1901 – 1968) was a film director. His son "
    "Emil Brand (1930 – 2011) was a painter.\n",
    "harbour_lights.md": "# Harbour Lights\n\nHarbour Lights is a 1931 drama film directed by "
    "Clara Voss.\n",
    "ida_lind.md": "# Ida Lind\n\nIda Lind (3 March 1884, Uppsala – 9 May 1950, Gothenburg) "
    "was a stage designer.\n",
    "eva_holm.md": "# Eva Holm\n\nEva Holm (2 May 1890 in Bergen – 4 June 1960 in Oslo) was a "
    "set painter.\n",
    "nora_alm.md": "# Nora Alm\n\nNora Alm (January 24, 1886 June 29, 1982) was a film editor.\n",
    "marta_solberg.md": "# Marta Solberg\n\nMarta Solberg (born 19 August 1961) is an Italian "
    "film director and screenwriter.\n",
    "jon_weiss.md": "# Jon Weiss\n\nJon Weiss was a film director. He was born on 17 September "
    "190030 April 1985 in Oslo.\n",
    "grey_morning.md": "# Grey Morning\n\nGrey Morning is a 1934 crime film directed by Otto "
    "Brand.\n",
}


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "films", DOCUMENTS) as gg:
        yield gg


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("When did Clara Voss die?", "August 17, 1957"),
        ("When was Otto Brand born?", "1901"),
        ("When did Ida Lind die?", "9 May 1950"),
        ("Where did Ida Lind die?", "Gothenburg"),
        ("Where was Ida Lind born?", "Uppsala"),
        ("Where did Eva Holm die?", "Oslo"),
        ("When did Nora Alm die?", "June 29, 1982"),  # the source lost the dash
        ("When was Marta Solberg born?", "19 August 1961"),
        (
            "Which film has the director who died first, Harbour Lights or Grey Morning?",
            "Harbour Lights",
        ),
    ],
)
def test_a_lifespan_states_birth_and_death(films: GroundGraph, question: str, short: str) -> None:
    answer = films.ask(question)
    assert answer.grounded, answer
    assert answer.short == short


def test_a_range_after_someone_else_is_not_theirs() -> None:
    assert opening_lifespan("Otto Brand (1901 – 1968) was a director.", ("Otto Brand",))
    son = "His son Emil Brand (1930 – 2011) was a painter."
    assert opening_lifespan(son, ("Otto Brand",)) is None
    assert opening_lifespan(son, ("Emil Brand",)) is not None
    assert opening_lifespan("Clara Maria Voss (1890 – 1957) was ...", ("Clara Voss",))
    assert opening_lifespan("Where did Clara Voss die?", ("Clara Voss",)) is None


def test_a_range_without_places_does_not_answer_where() -> None:
    dated = opening_lifespan("Otto Brand (1901 – 1968) was a director.", ("Otto Brand",))
    assert dated is not None
    assert stated_by_range(dated, {"die"}, place=False) == ["1968"]
    assert stated_by_range(dated, {"die"}, place=True) == []


def test_two_dates_run_together_are_no_date(films: GroundGraph) -> None:
    # the source lost the dash: "17 September 190030 April 1985" is no date of birth
    assert not films.ask("When was Jon Weiss born?").grounded


def test_a_birth_without_a_death_says_nothing_of_a_death(films: GroundGraph) -> None:
    assert not films.ask("When did Marta Solberg die?").grounded
