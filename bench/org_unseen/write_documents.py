"""Write the binary documents of the unseen organisation corpus (Word, PowerPoint, Excel, PDF).

A second company, written after the reader was tuned on `bench/org` and never tuned on: it
checks that the answers hold on documents the rules were not written for. The outputs are
committed; run this again only to change them:

    .venv/bin/python bench/org_unseen/write_documents.py
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "org"))

from build_corpus import _dated_rows, _deck, _pdf, _properties, _table

CORPUS = Path(__file__).parent / "corpus"
CREATED = dt.datetime(2025, 3, 20, 9, 0)


def leave_policy(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("ANNUAL LEAVE POLICY")
    document.add_paragraph(
        "Full-time staff at Pellworth Labs receive 27 days of annual leave a year, plus public "
        "holidays. Up to 5 unused days may be carried into the next leave year."
    )
    document.add_paragraph("Leave requests are approved by the employee's line manager.")
    document.add_heading("Long service", level=1)
    _table(
        document,
        [
            ("Years of service", "Extra days"),
            ("5 years", "2"),
            ("10 years", "4"),
        ],
    )
    document.add_heading("Parental leave", level=1)
    document.add_paragraph(
        "Pellworth Labs pays 16 weeks of full pay for maternity and adoption leave, and 4 weeks "
        "of full pay for paternity leave."
    )
    document.add_paragraph("This policy is owned by Clare Mbeki, HR Director.")
    _properties(document, "Annual leave policy", "Clare Mbeki", CREATED)
    document.save(path)


def supplier_contract(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Supply agreement: Norhaven Telecom", level=0)
    document.add_paragraph(
        "Norhaven Telecom supplies the SIM cards fitted in every T5 tracker. The agreement "
        "starts on 1 June 2025 and runs for two years. The monthly data charge is £1.10 per SIM."
    )
    document.add_heading("Component suppliers", level=1)
    _table(
        document,
        [
            ("Component", "Supplier", "Lead time"),
            ("SIM card", "Norhaven Telecom", "3 weeks"),
            ("GNSS module", "Vantor Electronics", "8 weeks"),
            ("Li-ion cell", "Brackley Power", "6 weeks"),
            ("Enclosure", "Moorfield Plastics", "4 weeks"),
        ],
    )
    document.add_paragraph("Purchasing contact: Gareth Pugh.")
    _properties(document, "Supplier contract", "Gareth Pugh", CREATED)
    document.save(path)


def all_hands(path: Path) -> None:
    slides = [
        (
            "Where we are",
            "Annual recurring revenue reached £6.8 million at the end of March.\n"
            "Trackwise now tracks 41,000 vehicles for 380 customers.",
        ),
        (
            "Shipped",
            "Trackwise 7.3 brought SMS geofence alerts and driver scorecards.\n"
            "The T5 tracker passed 30,000 units in service.",
        ),
        (
            "People",
            "Amara Nwosu became head of Devices on 6 January 2025.\nOur headcount is 112.",
        ),
    ]
    _deck(path, ("Q1 2025 All-Hands", "Daniel Firth, Chief Executive"), slides, CREATED)


def oncall_roster(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Rota"
    _dated_rows(
        sheet,
        ("Week starting", "Service", "Primary", "Secondary"),
        [
            (dt.datetime(2025, 3, 3), "Auth Gateway", "Kwame Asante", "Hannah Lowe"),
            (dt.datetime(2025, 3, 3), "Route Planner", "Leah Brooks", "Sanjay Patel"),
            (dt.datetime(2025, 3, 10), "Auth Gateway", "Hannah Lowe", "Kwame Asante"),
            (dt.datetime(2025, 3, 17), "Route Planner", "Sanjay Patel", "Leah Brooks"),
            (dt.datetime(2025, 3, 17), "Event Bus", "Joel Mercer", "Kwame Asante"),
        ],
    )
    book.properties.title = "On-call rota"
    book.properties.creator = "Ines Carvalho"
    book.properties.created = CREATED
    book.save(path)


def tracker_spec(path: Path) -> None:
    lines = [
        "Pellworth T5 tracker - technical specification",
        "",
        "The T5 is a vehicle tracker for vans and lorries.",
        "It weighs 64 grams and is sealed to IP67.",
        "Its battery lasts up to 9 days between charges when the vehicle is parked.",
        "While the vehicle moves, the T5 reports its position every 30 seconds.",
        "The GNSS module inside the T5 comes from Vantor Electronics.",
    ]
    _pdf(path, "Pellworth T5 tracker specification", lines, "Pellworth Labs")


WRITERS = {
    "leave_policy.docx": leave_policy,
    "supplier_contract.docx": supplier_contract,
    "all_hands_q1_2025.pptx": all_hands,
    "oncall_rota.xlsx": oncall_roster,
    "t5_tracker_spec.pdf": tracker_spec,
}


def main() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, write in WRITERS.items():
        write(CORPUS / name)
        print(f"wrote {CORPUS / name}")


if __name__ == "__main__":
    main()
