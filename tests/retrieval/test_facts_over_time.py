"""Documents that disagree over time: an old memo gives the old head office address, a newer
one the new address; an older roster names another team lead than the newer one. The answer
gives the newer value, cites both, and says what the older document said and when; `as_of`
answers as of an earlier day. Written for these tests, each tried once."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, namespace

from groundgraph import GroundGraph
from groundgraph.cli import app
from groundgraph.graph.errors import UsageError
from groundgraph.graph.rdf_vocab import GG, node
from tests.conftest import store_of

DOCUMENTS = {
    "memo_office_2023.md": (
        "# Memo: where to find us\n\nDate: 6 March 2023\n\nOur head office is at 12 Harbour "
        "Street, Leeds. Visitors sign in at the front desk.\n"
    ),
    "memo_office_move.md": (
        "# Memo: office move\n\nDate: 2 September 2024\n\nOur head office is at 40 Canal "
        "Wharf, Manchester. The Leeds building is closed.\n"
    ),
    "roster_spring.md": (
        "---\ntitle: Support roster\ndate: 2024-01-08\n---\n\n# Support roster\n\n"
        "| Team | Lead | Pager |\n|---|---|---|\n| Platform | Anna Cole | 4411 |\n"
        "| Billing | Raj Patel | 4420 |\n"
    ),
    "roster_summer.md": (
        "---\ntitle: Support roster\ndate: 2024-07-01\n---\n\n# Support roster\n\n"
        "| Team | Lead | Pager |\n|---|---|---|\n| Platform | Ben Ortiz | 4411 |\n"
        "| Billing | Raj Patel | 4420 |\n"
    ),
    "canteen.md": ("# Canteen\n\nThe canteen serves lunch from noon. Menus change every Monday.\n"),
}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "over-time", DOCUMENTS) as gg:
        yield gg


def test_every_document_carries_its_effective_date_and_where_it_came_from(
    company: GroundGraph,
) -> None:
    dated = {d.uri.rsplit("/", 1)[1]: d for d in company.store.documents()}
    assert (
        dated["memo_office_move.md"].effective_date,
        dated["memo_office_move.md"].date_source,
    ) == (
        "2024-09-02",
        "first lines",
    )
    assert (dated["roster_spring.md"].effective_date, dated["roster_spring.md"].date_source) == (
        "2024-01-08",
        "front matter",
    )
    # a file that states no date is dated by its modification time, and says so
    assert dated["canteen.md"].date_source == "file modified"


def test_the_newer_address_answers_and_the_older_is_cited_with_its_date(
    company: GroundGraph,
) -> None:
    answer = company.ask("Where is the head office?")
    assert answer.grounded and "40 Canal Wharf" in (answer.short or "")
    cited = {c.document.rsplit("/", 1)[1] for c in answer.citations}
    assert cited == {"memo_office_move.md", "memo_office_2023.md"}
    assert "12 Harbour Street" in answer.text and "6 March 2023" in answer.text
    assert any("supersedes" in n for n in answer.notes)


def test_the_newer_roster_names_the_lead_and_the_older_one_is_noted(company: GroundGraph) -> None:
    answer = company.ask("Who is the lead of the Platform team?")
    assert answer.grounded and answer.short == "Ben Ortiz"
    assert "Anna Cole" in answer.text and "8 January 2024" in answer.text
    assert len(answer.citations) == 2


def test_a_value_both_rosters_agree_on_is_not_a_disagreement(company: GroundGraph) -> None:
    answer = company.ask("Who is the lead of the Billing team?")
    assert answer.grounded and answer.short == "Raj Patel"
    assert not any("supersedes" in n for n in answer.notes)


def test_as_of_an_earlier_day_answers_from_the_documents_of_then(company: GroundGraph) -> None:
    lead = company.ask("Who is the lead of the Platform team?", as_of=date(2024, 3, 1))
    assert lead.grounded and lead.short == "Anna Cole"
    office = company.ask("Where is the head office?", as_of="2024-01-01")
    assert office.grounded and "12 Harbour Street" in (office.short or "")
    assert all("memo_office_move" not in c.document for c in office.citations)


def test_as_of_before_any_document_finds_nothing(company: GroundGraph) -> None:
    answer = company.ask("Who is the lead of the Platform team?", as_of="2020-01-01")
    assert not answer.grounded


def test_an_as_of_that_is_not_a_date_is_refused(company: GroundGraph) -> None:
    with pytest.raises(UsageError, match="as_of"):
        company.ask("Where is the head office?", as_of="last spring")


def test_the_rdf_export_carries_document_dates_and_relation_validity(
    company: GroundGraph, tmp_path: Path
) -> None:
    exported = tmp_path / "graph.ttl"
    company.export_rdf(exported)
    graph = Graph().parse(exported, format="turtle")
    dates = {
        str(doc).rsplit("/", 1)[1]: str(day) for doc, day in graph.subject_objects(GG.effectiveDate)
    }
    move = next(d for d in company.store.documents() if d.uri.endswith("memo_office_move.md"))
    assert dates[move.id] == "2024-09-02"
    valid = [day for _, day in graph.subject_objects(GG.validFrom)]
    assert valid and all(day.datatype == namespace.XSD.date for day in valid)
    # a relation is valid from the earliest date of the documents that state it
    assert min(str(day) for day in valid) >= "2023-03-06"
    by_name = {d.uri.rsplit("/", 1)[1]: node("document", d.id) for d in company.store.documents()}
    superseded = set(graph.subject_objects(GG.supersededBy))
    assert (by_name["roster_spring.md"], by_name["roster_summer.md"]) in superseded
    assert (
        by_name["roster_summer.md"],
        namespace.PROV.wasRevisionOf,
        by_name["roster_spring.md"],
    ) in graph
    assert len(superseded) == 1  # the two memos have different titles: they are not versions


def test_the_cli_answers_as_of_a_day_and_refuses_what_is_not_a_date(
    company: GroundGraph,
) -> None:
    store = str(company.directory)
    asked = ["ask", "Who is the lead of the Platform team?", "--store", store, "--json"]
    then = CliRunner().invoke(app, [*asked, "--as-of", "2024-03-01"])
    assert then.exit_code == 0, then.output
    assert json.loads(then.stdout)["short_answer"] == "Anna Cole"
    wrong = CliRunner().invoke(app, [*asked, "--as-of", "March"])
    assert wrong.exit_code != 0 and "as_of 'March' is not a date" in wrong.output
