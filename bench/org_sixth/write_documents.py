"""Write the binary documents of the sixth organisation corpus (Word, PowerPoint, Excel, PDF).

A sixth company, written on 2026-12-08 before the reader was run on it, to stand in for the
hidden corpus of the same kinds. The outputs are committed; run this again only to change them:

    .venv/bin/python bench/org_sixth/write_documents.py
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "org"))

from build_corpus import _deck, _pdf, _properties, _table, dated_workbook, write_all

CORPUS = Path(__file__).parent / "corpus"
CREATED = dt.datetime(2026, 3, 1, 9, 0)


def expenses_policy(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("EXPENSES AND TRAVEL POLICY")
    document.add_paragraph(
        "This policy applies to everyone who travels for Kestrel Grid, including field "
        "engineers visiting customer sites."
    )
    document.add_heading("Mileage", level=1)
    _table(
        document,
        [
            ("Vehicle", "Rate per mile"),
            ("Car or van", "45p"),
            ("Motorcycle", "24p"),
            ("Bicycle", "20p"),
        ],
    )
    document.add_heading("Approval", level=1)
    document.add_paragraph(
        "Claims up to £500 are approved by your line manager. Claims above £500 must also be "
        "approved by the Finance Director, Ruth Adeyemi."
    )
    document.add_paragraph(
        "Hotel stays are capped at £140 a night in London and £110 a night elsewhere."
    )
    document.add_heading("Remote work", level=1)
    document.add_paragraph(
        "Office-based staff may work from home up to three days a week with their manager's "
        "agreement."
    )
    _properties(document, "Expenses and travel policy", "Ruth Adeyemi", CREATED)
    document.save(path)


def supplier_agreement(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Supply agreement with Harwood Instruments", level=0)
    document.add_paragraph(
        "Harwood Instruments will supply the CellSense sensor board for the K2 Gateway and the "
        "K2 Mini. The agreement starts on 1 July 2026 and runs for three years, replacing the "
        "agreement of 2023."
    )
    document.add_heading("Parts and lead times", level=1)
    _table(
        document,
        [
            ("Part", "Supplier", "Lead time", "Unit cost"),
            ("CellSense board", "Harwood Instruments", "10 weeks", "£38.00"),
            ("4G modem", "Talvik Wireless", "6 weeks", "£22.50"),
            ("Enclosure", "Pennant Mouldings", "3 weeks", "£7.80"),
            ("Power supply", "Ostrava Power", "5 weeks", "£9.40"),
        ],
    )
    document.add_paragraph("Contract owner at Kestrel Grid: Callum Reid.")
    _properties(document, "Harwood Instruments supply agreement", "Callum Reid", CREATED)
    document.save(path)


def all_hands(path: Path) -> None:
    slides = [
        (
            "The quarter in numbers",
            "We now monitor 1,240 battery sites in the UK and Ireland.\n"
            "Revenue for the quarter was £2.1 million.",
        ),
        (
            "Hardware",
            "We shipped 310 K2 Gateways this quarter.\nThe K3 Gateway is planned for 2027.",
        ),
        (
            "People",
            "Welcome to our 18 new starters.\n"
            "Sofia Lindqvist now leads Field Operations from our Glasgow office.",
        ),
    ]
    _deck(path, ("All-hands, Q1 2026", "Miriam Okafor, Chief Executive"), slides, CREATED)


def oncall_rota(path: Path) -> None:
    dated_workbook(
        path,
        "On call",
        ("Week starting", "Service", "Primary", "Secondary"),
        [
            (dt.datetime(2026, 3, 2), "Alarm Router", "Ben Achebe", "Priya Raman"),
            (dt.datetime(2026, 3, 2), "Gridlink API", "Priya Raman", "Ben Achebe"),
            (dt.datetime(2026, 3, 9), "Alarm Router", "Jonas Weber", "Ben Achebe"),
            (dt.datetime(2026, 3, 9), "Site Portal", "Tariq Osei", "Ellie Marsh"),
            (dt.datetime(2026, 3, 16), "Gridlink API", "Jonas Weber", "Ellie Marsh"),
            (dt.datetime(2026, 3, 23), "Invoice Engine", "Lara Quinn", "Owen Gallagher"),
        ],
        ("On-call rota, March 2026", "Priya Raman", CREATED),
    )


def gateway_datasheet(path: Path) -> None:
    lines = [
        "K2 Gateway - product data sheet",
        "",
        "The K2 Gateway connects a battery storage site to Gridlink.",
        "It reads up to 64 sensors over Modbus and CAN.",
        "Battery backup keeps the gateway running for 36 hours after a power cut.",
        "The gateway measures cell temperature with the CellSense sensor board.",
        "It works from -20 C to 55 C and is rated IP65.",
    ]
    _pdf(path, "K2 Gateway data sheet", lines, "Kestrel Grid")


WRITERS = {
    "expenses_policy.docx": expenses_policy,
    "supplier_agreement_harwood.docx": supplier_agreement,
    "all_hands_q1_2026.pptx": all_hands,
    "oncall_rota_march_2026.xlsx": oncall_rota,
    "k2_gateway_datasheet.pdf": gateway_datasheet,
}


def main() -> None:
    write_all(WRITERS, CORPUS)


if __name__ == "__main__":
    main()
