"""Write the binary documents of the ninth organisation corpus (Word, PowerPoint, Excel, PDF).

A ninth organisation, written on 2026-12-08 before the reader was run on it, after the fixes
the eighth prompted. The outputs are committed; run this again only to change them:

    .venv/bin/python bench/org_ninth/write_documents.py
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "org"))

from build_corpus import _deck, _pdf, _properties, _table, dated_workbook, write_all

CORPUS = Path(__file__).parent / "corpus"
CREATED = dt.datetime(2026, 2, 2, 9, 0)


def volunteer_policy(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("VOLUNTEER POLICY")
    document.add_paragraph(
        "Volunteers must be at least 16 years old. Volunteers who drive our vans must be over "
        "25 and have held a full licence for three years."
    )
    document.add_heading("Expenses", level=1)
    _table(
        document,
        [
            ("Expense", "What we pay"),
            ("Mileage in your own car", "40p a mile"),
            ("Bus or tram fare", "the full fare"),
            ("Lunch on a full-day shift", "up to £6"),
        ],
    )
    document.add_paragraph("The volunteer coordinator is Aisha Rahman.")
    _properties(document, "Volunteer policy", "Chloe Barnes", CREATED)
    document.save(path)


def agm_deck(path: Path) -> None:
    slides = [
        (
            "A year of growth",
            "18,250 parcels given out in 2025.\n142 active volunteers.",
        ),
        (
            "Money",
            "Income in 2025 was £96,400.\nOur biggest single cost was rent: £21,000.",
        ),
    ]
    _deck(path, ("Annual general meeting 2026", "Margaret Osei, Chair"), slides, CREATED)


def driver_rota(path: Path) -> None:
    dated_workbook(
        path,
        "Drivers",
        ("Date", "Run", "Driver", "Helper"),
        [
            (dt.datetime(2026, 2, 3), "Supermarket collection", "Neil Garside", "Tom Hayes"),
            (dt.datetime(2026, 2, 4), "School deliveries", "Priya Shah", "Neil Garside"),
            (dt.datetime(2026, 2, 5), "Supermarket collection", "Tom Hayes", "Ruth Ward"),
        ],
        ("Driver rota, February 2026", "Aisha Rahman", CREATED),
    )


def food_safety(path: Path) -> None:
    lines = [
        "Food safety summary",
        "",
        "Chilled food is kept below 5 C and checked twice a day.",
        "Tins more than two years past their best-before date are thrown away.",
        "Every warehouse volunteer completes food hygiene training in their first month.",
        "Our food safety lead is Rob Kinsella.",
    ]
    _pdf(path, "Food safety summary", lines, "Riverside Food Bank Trust")


WRITERS = {
    "volunteer_policy.docx": volunteer_policy,
    "agm_2026.pptx": agm_deck,
    "driver_rota_february_2026.xlsx": driver_rota,
    "food_safety.pdf": food_safety,
}


def main() -> None:
    write_all(WRITERS, CORPUS)


if __name__ == "__main__":
    main()
