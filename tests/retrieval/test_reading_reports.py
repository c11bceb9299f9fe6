"""What a second company's documents taught the reader (`bench/org_unseen`): report fields in
bold, identifiers that differ in one digit, a root cause under its heading, a table keyed by
a quantity, lengths of time in different units, a pronoun after two people, and a role a
person became. Written for these tests, each tried once."""

from collections.abc import Iterator

import pytest

from groundgraph import GroundGraph
from tests.conftest import store_of

DOCUMENTS = {
    "incident_041.md": (
        "# IR-2025-041: Booking API outage\n\n**Date:** 4 March 2025\n"
        "**Incident commander:** Petra Lind\n\n## Root cause\n\nA certificate rotation script "
        "deleted the signing key, so every booking request was refused.\n\n## Follow-up\n\n"
        "Changes to Tier 1 services now need two reviewers.\n"
    ),
    "incident_044.md": (
        "# IR-2025-044: Search slowdown\n\n**Date:** 9 March 2025\n"
        "**Incident commander:** Hugo Marr\n\n## Summary\n\nSearch results took ten seconds "
        "for an hour.\n"
    ),
    "leave.md": (
        "# Leave\n\n## Long service\n\n| Years of service | Extra days |\n|---|---|\n"
        "| 5 years | 2 |\n| 10 years | 4 |\n"
    ),
    "plans.csv": "Plan,Data retention\nBasic,30 days\nPlus,1 year\n",
    "profiles.md": (
        "# Profiles\n\n## Devices\n\nAmara Nwosu leads the Devices team. Before joining the "
        "company she spent eight years at Navenco.\n\nJoel Mercer is the team's firmware "
        "engineer. He wrote the update client.\n"
    ),
    "news.md": "# News\n\nAmara Nwosu became head of Devices on 6 January 2025.\n",
    "incident_047.md": (
        "# IR-2025-047: Payments outage\n\n## Cause\n\nAn expired TLS certificate stopped "
        "card payments for an hour.\n"
    ),
    "services.md": (
        "# Services\n\nThe Auth Gateway is run by the Platform team, which is led by Ines "
        "Carvalho.\n"
    ),
    "officers.md": "# Officers\n\nOur chief financial officer, Dana Wells, joined in 2021.\n",
    "parking.md": (
        "# Car park\n\nThe staff car park on Dock Road closes for resurfacing from 10 March "
        "2025 for two weeks.\n"
    ),
    "operations.md": (
        "# Operations meeting\n\nThe meeting approved a new expenses tool, Spendly, to replace "
        "paper claims.\n"
    ),
    "people.md": (
        "# People\n\nOmar Haddad reports to Dana Wells and runs payroll. Priya Nair, our head "
        "of engineering, reports to the chief executive, Tom Avery. The Finance team is headed "
        "by Dana Wells.\n"
    ),
    "ops_minutes.md": "# Operations meeting, 14 April 2025\n\nChair: Tom Avery\n",
    "suppliers.csv": (
        "Supplier,Supplies,Contract ends\nNorbrook Paper,Office paper,2026-03-31\n"
        "Tessaly Cloud,Hosting,2027-01-15\n"
    ),
    "move.txt": (
        "MEMO\nTo: All staff\nSubject: Leeds office move\n\nFrom 1 April 2025 the Leeds team "
        "will work from 14 Wharf Street, Leeds, instead of 22 Park Row.\n"
    ),
    "board.md": "# Board meeting, 20 February 2025\n\nThe board approved the budget.\n",
    "offices.md": (
        "# Offices\n\nThe Leeds office is at 14 Wharf Street. Amara Nwosu works from the "
        "Sheffield office.\n"
    ),
}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroundGraph]:
    with store_of(tmp_path_factory, "reports", DOCUMENTS) as gg:
        yield gg


def test_a_bold_report_field_of_the_incident_with_that_code_answers(company: GroundGraph) -> None:
    # IR-2025-044 reads almost the same to the embedder; its commander is not the answer
    answer = company.ask("Who was the incident commander for IR-2025-041?")
    assert answer.grounded and answer.short == "Petra Lind"


def test_the_sentence_under_a_root_cause_heading_states_the_cause(company: GroundGraph) -> None:
    answer = company.ask("What caused the Booking API outage on 4 March 2025?")
    assert answer.grounded and "certificate rotation script" in (answer.short or "")


def test_a_row_keyed_by_a_quantity_the_question_gives(company: GroundGraph) -> None:
    answer = company.ask("How many extra days of leave come after 10 years of service?")
    assert answer.grounded and answer.short == "4"


def test_lengths_of_time_compare_in_one_unit(company: GroundGraph) -> None:
    answer = company.ask("Which plan keeps data longer, Basic or Plus?")
    assert answer.grounded and answer.short == "Plus"


def test_a_pronoun_goes_to_the_one_person_it_fits(company: GroundGraph) -> None:
    # "she" made Amara Nwosu a woman, so the later "He" is Joel Mercer
    answer = company.ask("Who wrote the update client?")
    assert answer.grounded and answer.short == "Joel Mercer"


def test_a_role_a_person_became_is_no_second_hop(company: GroundGraph) -> None:
    answer = company.ask("When did Amara Nwosu become head of Devices?")
    assert answer.grounded and answer.short == "6 January 2025"


def test_a_phone_number_is_not_a_name_near_the_question(company: GroundGraph) -> None:
    answer = company.ask("What is the phone number of the Sheffield office?")
    assert not answer.grounded


def test_which_service_is_read_from_the_heading_not_from_a_kind_of_services(
    company: GroundGraph,
) -> None:
    # "Changes to Tier 1 services need two reviewers" names a kind of service, and no
    # failure; the report's heading "IR-2025-041: Booking API outage" names the service
    answer = company.ask("Which service failed in incident IR-2025-041?")
    assert answer.grounded and answer.short == "Booking API"


def test_a_heading_is_no_cause_and_its_words_of_the_question_no_answer(
    company: GroundGraph,
) -> None:
    cause = company.ask("What caused the Payments outage?")
    assert cause.grounded and "expired TLS certificate" in (cause.short or "")
    # "# Board meeting, 20 February 2025" names no chair: "Board" is the question's own word
    chair = company.ask("Who chaired the board meeting on 20 February 2025?")
    assert not chair.grounded


def test_what_is_run_by_someone_is_not_who_runs_it(company: GroundGraph) -> None:
    # "The Auth Gateway is run by the Platform team, which is led by Ines Carvalho": the
    # recogniser calls her a place; the gateway is what is run, not who leads
    lead = company.ask("Who leads the Platform team?")
    assert lead.grounded and lead.short == "Ines Carvalho"
    # both hops in one sentence: quoted once
    both = company.ask("Who leads the team that runs the Auth Gateway?")
    assert both.grounded and both.short == "Ines Carvalho" and len(both.citations) == 1


def test_a_sentence_about_another_kind_of_officer_does_not_answer(company: GroundGraph) -> None:
    assert company.ask("Who is the chief financial officer?").short == "Dana Wells"
    assert not company.ask("Who is the chief technology officer?").grounded


def test_when_is_not_answered_by_how_long(company: GroundGraph) -> None:
    answer = company.ask("When does the car park on Dock Road close?")
    assert answer.grounded and answer.short == "10 March 2025"


def test_which_noun_of_two_words_is_answered_by_the_name_beside_it(company: GroundGraph) -> None:
    # the recogniser calls the tool a person; it stands beside the asked noun, named
    answer = company.ask("Which expenses tool did the meeting approve?")
    assert answer.grounded and answer.short == "Spendly"


def test_the_doer_of_the_asked_verb_and_the_name_a_role_is_given(company: GroundGraph) -> None:
    # "reports to Dana Wells and runs payroll": Omar Haddad runs it
    assert company.ask("Who runs payroll?").short == "Omar Haddad"
    # "Priya Nair, our head of engineering, reports to the chief executive, Tom Avery"
    assert company.ask("Who is the chief executive?").short == "Tom Avery"
    assert company.ask("Who is the head of engineering?").short == "Priya Nair"


def test_what_narrows_the_asked_thing_down_must_be_stated(company: GroundGraph) -> None:
    # the Finance team's head is no head of sales; the operations meeting's chair no
    # board meeting's
    assert not company.ask("Who is the head of sales?").grounded
    assert company.ask("Who chaired the operations meeting on 14 April 2025?").short == "Tom Avery"
    assert not company.ask("Who chaired the board meeting?").grounded


def test_a_row_that_states_the_opposite_or_a_date_for_a_name_does_not_answer(
    company: GroundGraph,
) -> None:
    # "Contract ends: 2027-01-15" gives no start
    assert not company.ask("When does the Tessaly Cloud contract start?").grounded
    assert company.ask("When does the Tessaly Cloud contract end?").short == "2027-01-15"
    # a supplier is named, never "2026-03-31"
    supplier = company.ask("Which supplier supplies office paper?")
    assert supplier.short != "2026-03-31"


def test_a_street_is_no_person(company: GroundGraph) -> None:
    # the memo names no sender: "22 Park Row" and "14 Wharf Street" are addresses
    assert not company.ask("Who sent the memo about the Leeds office move?").grounded
