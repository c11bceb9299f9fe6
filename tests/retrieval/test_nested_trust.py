"""Questions that nest one relation in another are answered in two hops or not at all: a
split whose outer question asks nothing of the bridge, an asked thing whose kind a clause
about another thing hides, and a hyphenated title cut short. Written after MuSiQue's
grounded-but-wrong answers showed the faults, in other words than its passages."""

from collections.abc import Iterator

import pytest

from groundgraph import GroundGraph
from groundgraph.ingest.nlp import load_spacy
from groundgraph.ingest.settings import IngestSettings
from groundgraph.retrieval.questions.kinds import question_shape
from groundgraph.retrieval.questions.nested import NestedQuestion, split_nested
from tests.conftest import store_of

DOCUMENTS = {
    "winter_games.md": (
        "# Winter Games\n\nThe next Winter Games will be held in Lillehammer, a town on Lake "
        "Mjøsa.\n"
    ),
    "lillehammer.md": (
        "# Lillehammer\n\nLillehammer hosted a great trade fair in 1906. The town lies at the "
        "north end of Lake Mjøsa.\n"
    ),
    "sea_charts.md": (
        "# Sea charts\n\nThe oldest sea chart in the archive shows the western coasts of Europe "
        "and North Africa with reasonable accuracy.\n"
    ),
    "greenhouses.md": (
        "# Greenhouses\n\nThe first modern greenhouses were built in Europe in the sixteenth "
        "century.\n"
    ),
    "the_long_way_home.md": (
        "# The Long-Way Home\n\nThe Long-Way Home is a 1921 silent film directed by Ada Brook.\n"
    ),
    "ada_brook.md": "# Ada Brook\n\nAda Brook was a film director. She was born in Leeds.\n",
}


@pytest.fixture(scope="module")
def nested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "nested", DOCUMENTS) as gg:
        yield gg


def test_a_split_that_asks_nothing_of_the_bridge_answers_nothing(nested: GroundGraph) -> None:
    # The parser takes "fall" into the clause, leaving "When did {bridge}?": every date said
    # of Lillehammer would answer that.
    answer = nested.ask("When did the town where the next Winter Games will be held fall?")
    assert not answer.grounded, answer.text
    assert not NestedQuestion("Which town hosts it?", "When did {bridge}?").asks_of_bridge
    assert NestedQuestion("Which town hosts it?", "When did {bridge} fall?").asks_of_bridge


def test_a_clause_about_another_thing_does_not_decide_what_is_asked(nested: GroundGraph) -> None:
    question = (
        "Which explorer mapped the coasts of the continent where the first modern greenhouses "
        "were built?"
    )
    assert question_shape(question).answer_types == frozenset()  # an explorer, not a place
    assert question_shape("What is the town where Ada Brook was born?").answer_types
    answer = nested.ask(question)
    assert not answer.grounded, answer.text  # no sentence names an explorer


def test_a_person_asked_for_by_a_noun_is_never_a_place(nested: GroundGraph) -> None:
    # No explorer is named: the places on the chart are no answer.
    assert not nested.ask("Which explorer drew the oldest sea chart in the archive?").grounded
    director = nested.ask("Which director made the silent film The Long-Way Home?")
    assert director.grounded and director.short == "Ada Brook"


def test_a_hyphenated_title_stays_whole_and_its_role_is_the_split(nested: GroundGraph) -> None:
    nlp = load_spacy(IngestSettings().spacy_model)
    assert split_nested(nlp, "Where was the director of film The Long-Way Home born?") == (
        NestedQuestion("Who is the director of film The Long-Way Home?", "Where was {bridge} born?")
    )
    answer = nested.ask("Where was the director of film The Long-Way Home born?")
    assert answer.grounded and answer.short == "Leeds", answer.text
