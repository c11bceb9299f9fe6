"""What a fourth company's documents taught the reader: a sentence that tells an old value
from a new one, the object a question asks a verb for, a role the question qualifies, and a
"he" that is someone else. Written after the fixes, in other words than the documents that
showed the faults (the probe questions are in the closing note of issue 28)."""

from collections.abc import Iterator

import pytest

from groundgraph import GroundGraph
from tests.conftest import store_of

DOCUMENTS = {
    "office_move.md": (
        "# Bristol office move\n\nOur Bristol office is moving. From 3 March 2025 the Bristol "
        "team will work from 8 Quay Street instead of 31 Corn Street.\n"
    ),
    "profiles.md": (
        "# Team profiles\n\n## Mapping\n\nLena Fischer leads the Mapping team from the York "
        "office.\n\n## Sensors\n\nRavi Menon leads Sensors. He joined Fenwick Labs in 2020 "
        "after six years at Dunmore, a maker of weather stations.\n\nKai Olsen is the Sensors "
        "team's hardware engineer.\n"
    ),
    "awards.md": (
        "# Design awards\n\nLena Fischer designed the Atlas scanner, which won the Red Dot "
        "award in 2023.\n"
    ),
    "ana_costa.md": (
        "# Ana Costa\n\nAna Costa is a sculptor. Born in Porto, she is the daughter of the "
        "architect Rui Costa.\n"
    ),
    "teams.md": (
        "# Engineering teams\n\n| Team | Team lead | Based in |\n|---|---|---|\n"
        "| Mapping | Lena Fischer | York |\n| Sensors | Ravi Menon | Hull |\n"
    ),
}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "changes", DOCUMENTS) as gg:
        yield gg


def test_before_a_change_the_old_value_answers_and_after_it_never_the_old(
    company: GroundGraph,
) -> None:
    before = company.ask("Where was the Bristol office before the move?")
    assert before.grounded and before.short == "31 Corn Street"
    # The recogniser misses "8 Quay Street", so nothing answers; "31 Corn Street", the only
    # street it finds, used to be given here as grounded.
    after = company.ask("Where will the Bristol team work from 3 March 2025?")
    assert "Corn" not in (after.short or "") and "Corn" not in after.text.split(".")[0]


def test_what_a_verb_is_asked_for_is_its_object_not_a_length_of_time(
    company: GroundGraph,
) -> None:
    answer = company.ask("What did Dunmore make?")
    assert answer.grounded and answer.short == "weather stations"


def test_a_qualified_role_is_not_answered_by_another_role_of_the_team(
    company: GroundGraph,
) -> None:
    answer = company.ask("Who is the hardware engineer of the Mapping team?")
    assert not answer.grounded, answer.text


def test_a_he_that_stands_for_someone_else_does_not_answer_for_the_asked_person(
    company: GroundGraph,
) -> None:
    assert not company.ask("When did Kai Olsen join Fenwick Labs?").grounded
    ravi = company.ask("When did Ravi Menon join Fenwick Labs?")
    assert ravi.grounded and ravi.short == "2020"


def test_what_another_name_did_is_not_the_asked_ones(company: GroundGraph) -> None:
    award = company.ask("Which award did Lena Fischer win?")
    assert "Red Dot" not in (award.short or "") if award.grounded else True
    assert not company.ask("Where was Rui Costa born?").grounded
    ana = company.ask("Where was Ana Costa born?")
    assert ana.grounded and ana.short == "Porto"
