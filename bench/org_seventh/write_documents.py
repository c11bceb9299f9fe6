"""Write the binary documents of the seventh organisation corpus (Word, PowerPoint, Excel, PDF).

A seventh company, written on 2026-12-08 before the reader was run on it, after the fixes
the sixth prompted. The outputs are committed; run this again only to change them:

    .venv/bin/python bench/org_seventh/write_documents.py
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "org"))

from build_corpus import _deck, _pdf, _properties, dated_workbook, write_all

CORPUS = Path(__file__).parent / "corpus"
CREATED = dt.datetime(2026, 3, 20, 9, 0)


def board_minutes(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Board meeting, 24 February 2026", level=0)
    document.add_paragraph("Chaired by Fiona Mackay. Also present: Ruth Okonjo, Tomas Novak.")
    document.add_heading("Decisions", level=1)
    document.add_paragraph(
        "The board approved a second canning line costing £240,000, to be installed in "
        "September 2026."
    )
    document.add_paragraph(
        "The board rejected the proposal to open a second taproom in Windermere."
    )
    document.add_paragraph("Tomas Novak will present a plan for a low-alcohol beer in May.")
    _properties(document, "Board minutes February 2026", "Moira Platt", CREATED)
    document.save(path)


def safety_policy(path: Path) -> None:
    lines = [
        "HEALTH AND SAFETY POLICY",
        "",
        "Brackenridge Brewing is responsible for the safety of everyone on site.",
        "The fire wardens are Dan Hollis and Lucy Fairbairn.",
        "Every brewer must renew first aid training every three years.",
        "Hearing protection is required in the canning hall at all times.",
        "This policy is reviewed each year by Fiona Mackay.",
    ]
    _pdf(path, "Health and safety policy", lines, "Brackenridge Brewing")


def all_hands(path: Path) -> None:
    slides = [
        (
            "2025 in numbers",
            "We brewed 1.4 million litres of beer in 2025.\nExports to Norway grew by 30%.",
        ),
        (
            "People",
            "We are now 34 people.\nTomas Novak took over as head brewer in March.",
        ),
        (
            "2026 plans",
            "A second canning line arrives in September.\nHollin Sour becomes a year-round beer.",
        ),
    ]
    _deck(path, ("Brackenridge all-hands 2026", "Fiona Mackay, Managing Director"), slides, CREATED)


def delivery_rota(path: Path) -> None:
    dated_workbook(
        path,
        "Deliveries",
        ("Date", "Route", "Driver", "Van"),
        [
            (dt.datetime(2026, 4, 6), "Lakes North", "Sam Ellery", "Van 2"),
            (dt.datetime(2026, 4, 6), "Lancaster", "Dan Hollis", "Van 1"),
            (dt.datetime(2026, 4, 7), "Lakes South", "Dan Hollis", "Van 1"),
            (dt.datetime(2026, 4, 8), "Carlisle", "Sam Ellery", "Van 3"),
        ],
        ("Delivery rota, April 2026", "Ruth Okonjo", CREATED),
    )


WRITERS = {
    "board_minutes_2026_02.docx": board_minutes,
    "health_and_safety.pdf": safety_policy,
    "all_hands_2026.pptx": all_hands,
    "delivery_rota_april_2026.xlsx": delivery_rota,
}


def main() -> None:
    write_all(WRITERS, CORPUS)


if __name__ == "__main__":
    main()
