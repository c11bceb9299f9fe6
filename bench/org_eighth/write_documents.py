"""Write the binary documents of the eighth organisation corpus (Word, PowerPoint, Excel, PDF).

An eighth company, written on 2026-12-08 before the reader was run on it, after the fixes
the seventh prompted. The outputs are committed; run this again only to change them:

    .venv/bin/python bench/org_eighth/write_documents.py
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "org"))

from build_corpus import _deck, _pdf, _properties, _table, dated_workbook, write_all

CORPUS = Path(__file__).parent / "corpus"
CREATED = dt.datetime(2026, 3, 25, 9, 0)


def drug_suppliers(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("PHARMACY AND SUPPLIES")
    document.add_paragraph(
        "All medicines are ordered through our wholesaler, Penrose Vet Supplies, which delivers "
        "to every clinic on Tuesdays and Fridays."
    )
    document.add_heading("Other suppliers", level=1)
    _table(
        document,
        [
            ("Item", "Supplier", "Account number"),
            ("Vaccines", "Penrose Vet Supplies", "PV-22817"),
            ("Pet food", "Greenmoor Nutrition", "GN-4410"),
            ("Surgical gloves", "Ashdown Medical", "AM-0932"),
        ],
    )
    document.add_paragraph("Controlled drugs are signed for by the lead vet of each clinic.")
    _properties(document, "Pharmacy and supplies", "Elaine Curtis", CREATED)
    document.save(path)


def review_deck(path: Path) -> None:
    slides = [
        (
            "2025 at a glance",
            "We saw 21,400 patients across our three clinics.\n"
            "Knaresby was the busiest clinic, with 8,900 appointments.",
        ),
        (
            "Looking ahead",
            "A fourth clinic, in Pateley, is planned for 2027.\n"
            "We will recruit two more nurses this spring.",
        ),
    ]
    _deck(path, ("Annual review 2025", "Dr Imogen Hale, Clinical Director"), slides, CREATED)


def duty_rota(path: Path) -> None:
    dated_workbook(
        path,
        "Weekend duty",
        ("Saturday", "Clinic", "Vet on duty", "Nurse on duty"),
        [
            (dt.datetime(2026, 4, 4), "Harrowgate Central", "Dr Amir Farouk", "Ben Ashworth"),
            (dt.datetime(2026, 4, 4), "Knaresby", "Dr Hannah Stroud", "Jodie Marsh"),
            (dt.datetime(2026, 4, 11), "Harrowgate Central", "Dr Peter Lund", "Ben Ashworth"),
            (dt.datetime(2026, 4, 11), "Ripley Road", "Dr Sarah Quinlan", "Mia Okoro"),
        ],
        ("Weekend duty rota, April 2026", "Elaine Curtis", CREATED),
    )


def hygiene_policy(path: Path) -> None:
    lines = [
        "Infection control policy",
        "",
        "Consulting tables are disinfected after every patient.",
        "Surgical instruments are sterilised in the autoclave at 134 C.",
        "Kennels are deep cleaned every Sunday.",
        "The infection control lead for the group is Jodie Marsh.",
    ]
    _pdf(path, "Infection control policy", lines, "Harrowgate Veterinary Group")


WRITERS = {
    "pharmacy_and_supplies.docx": drug_suppliers,
    "annual_review_2025.pptx": review_deck,
    "weekend_rota_april_2026.xlsx": duty_rota,
    "infection_control.pdf": hygiene_policy,
}


def main() -> None:
    write_all(WRITERS, CORPUS)


if __name__ == "__main__":
    main()
