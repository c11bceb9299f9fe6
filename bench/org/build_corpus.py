"""Write the binary documents of the organisation corpus (Word, PowerPoint, Excel, PDF).

The text formats of `bench/org/corpus/` are written by hand; these are built with the
libraries that organisations' own tools write, so that the reader sees what a real file
holds (Word tables, slide placeholders, Excel date cells, PDF text). The outputs are
committed; run this again only to change them:

    .venv/bin/python bench/org/build_corpus.py
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
CREATED = dt.datetime(2024, 9, 30, 9, 0)


def travel_policy(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("TRAVEL AND EXPENSES POLICY")
    document.add_paragraph(
        "This policy applies to every employee of Merrow Robotics who travels on company "
        "business. It is owned by the finance team."
    )
    document.add_heading("Flights", level=1)
    document.add_paragraph(
        "Staff may book economy class for flights under six hours. Business class requires "
        "the approval of the Chief Financial Officer, Marta Quinlan."
    )
    document.add_heading("Meals", level=1)
    document.add_paragraph(
        "The daily meal allowance is £45 within the United Kingdom and £60 abroad. Alcohol "
        "is never reimbursed."
    )
    document.add_heading("Mileage rates", level=1)
    _table(
        document,
        [
            ("Vehicle", "Rate per mile"),
            ("Car", "45p"),
            ("Motorcycle", "24p"),
            ("Bicycle", "20p"),
        ],
    )
    document.add_heading("Claims", level=1)
    document.add_paragraph(
        "Expense claims must be submitted within 60 days of the journey, with receipts."
    )
    _properties(document, "Travel and expenses policy", "Marta Quinlan")
    document.save(path)


def supplier_agreements(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Supplier agreements", level=0)
    document.add_paragraph(
        "Merrow Robotics buys the main components of the Merrow Porter from three approved "
        "suppliers. Purchasing is managed by Marta Quinlan."
    )
    document.add_heading("Approved components", level=1)
    _table(
        document,
        [
            ("Component", "Supplier", "Lead time"),
            ("LX-40 LiDAR sensor", "Orrin Optics", "6 weeks"),
            ("DM-7 drive motor", "Tessaly Motion", "10 weeks"),
            ("VC-48 battery pack", "Voltmere Cells", "8 weeks"),
        ],
    )
    document.add_heading("Orrin Optics agreement", level=1)
    document.add_paragraph(
        "The supply agreement with Orrin Optics starts on 1 March 2025 and runs for three "
        "years. Either party may end it with six months' notice."
    )
    document.add_heading("Tessaly Motion agreement", level=1)
    document.add_paragraph(
        "The agreement with Tessaly Motion was renewed on 15 January 2024 for two years. "
        "Tessaly Motion is based in Turin."
    )
    _properties(document, "Supplier agreements", "Marta Quinlan")
    document.save(path)


def security_policy(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Information security policy", level=0)
    document.add_paragraph("Owner: Grace Whitfield, Security team lead.")
    document.add_heading("Passwords", level=1)
    document.add_paragraph(
        "Passwords must be at least 14 characters long and must be changed every 90 days. "
        "Two-factor authentication is required for every system that offers it."
    )
    document.add_heading("Reporting", level=1)
    document.add_paragraph(
        "Report a suspected security incident to the Security team within one hour of noticing it."
    )
    document.add_heading("Laptops", level=1)
    document.add_paragraph(
        "Company laptops use full-disk encryption and lock after five minutes without use."
    )
    _properties(document, "Information security policy", "Grace Whitfield")
    document.save(path)


def all_hands(path: Path) -> None:
    slides = [
        (
            "Results",
            "Revenue grew 18% to £4.2 million in the third quarter.\n"
            "We shipped 310 robots, our best quarter so far.",
        ),
        (
            "Launches",
            "We launched the Merrow Porter Lite on 9 September 2024.\n"
            "The Porter Lite carries up to 60 kg and is aimed at small warehouses.",
        ),
        (
            "People",
            "Priya Raman joined as VP Engineering on 1 July 2024.\n"
            "Our headcount reached 84 at the end of September.",
        ),
    ]
    _deck(path, ("Q3 2024 All-Hands", "Helen Achterberg, Chief Executive"), slides, CREATED)


def oncall_roster(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "On-call"
    _dated_rows(
        sheet,
        ("Week starting", "Service", "Primary", "Secondary"),
        [
            (dt.datetime(2024, 9, 2), "Billing Engine", "Felix Adeyemi", "Sofia Lindqvist"),
            (dt.datetime(2024, 9, 2), "Telemetry Hub", "Lena Vogt", "Daniel Okafor"),
            (dt.datetime(2024, 9, 9), "Billing Engine", "Owen Pryce", "Felix Adeyemi"),
            (dt.datetime(2024, 9, 9), "Telemetry Hub", "Daniel Okafor", "Lena Vogt"),
            (dt.datetime(2024, 9, 16), "Dispatch API", "Nadia Brook", "Rahul Menon"),
        ],
    )
    contacts = book.create_sheet("Escalation")
    contacts.append(("Level", "Contact", "Phone"))
    contacts.append(("First", "Primary on-call", "0131 496 0101"))
    contacts.append(("Second", "Secondary on-call", "0131 496 0102"))
    contacts.append(("Third", "Priya Raman", "0131 496 0199"))
    book.properties.title = "On-call roster"
    book.properties.creator = "Priya Raman"
    book.properties.created = CREATED
    book.save(path)


def product_spec(path: Path) -> None:
    lines = [
        "Merrow Porter Pro - product specification",
        "",
        "The Merrow Porter Pro is our largest autonomous warehouse trolley.",
        "It carries a payload of up to 150 kg at a top speed of 2.1 metres per second.",
        "One charge of its VC-48 battery pack lasts 10 hours of normal work.",
        "Obstacles are detected by an LX-40 LiDAR sensor on each corner.",
        "The robot weighs 88 kg and is 1.2 metres long.",
    ]
    _pdf(path, "Merrow Porter Pro specification", lines)


def data_retention(path: Path) -> None:
    lines = [
        "Data retention schedule",
        "",
        "Robot telemetry is kept for 18 months and then deleted.",
        "Customer invoices are kept for 7 years to meet tax rules.",
        "Support tickets are kept for 3 years after they are closed.",
        "CCTV recordings at the Dundee office are kept for 30 days.",
    ]
    _pdf(path, "Data retention schedule", lines)


def _pdf(path: Path, title: str, lines: list[str], author: str = "Merrow Robotics") -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    y = 780
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 18
    pdf.save()


def _deck(
    path: Path, title: tuple[str, str], slides: list[tuple[str, str]], created: dt.datetime
) -> None:
    """A PowerPoint deck: a title slide (title, subtitle), then one titled slide each."""
    import pptx

    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text, first.placeholders[1].text = title
    for heading, body in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text = body
    deck.core_properties.title = title[0]
    deck.core_properties.author = title[1].split(",")[0]
    deck.core_properties.created = created
    deck.save(path)


def _dated_rows(sheet: object, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """A sheet's header and rows, its first column shown as dates as people write them."""
    sheet.append(header)  # type: ignore[attr-defined]
    for row in rows:
        sheet.append(row)  # type: ignore[attr-defined]
    for cell in sheet["A"][1:]:  # type: ignore[index]
        cell.number_format = "yyyy-mm-dd"


def dated_workbook(
    path: Path,
    sheet_title: str,
    header: tuple[str, ...],
    rows: list[tuple[object, ...]],
    properties: tuple[str, str, dt.datetime],
) -> None:
    """A one-sheet Excel rota whose first column holds dates; `properties` are its title,
    creator and creation time."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    _dated_rows(sheet, header, rows)
    book.properties.title, book.properties.creator, book.properties.created = properties
    book.save(path)


def write_all(writers: dict[str, Callable[[Path], None]], corpus: Path) -> None:
    """Write each binary document of a corpus with its writer."""
    corpus.mkdir(parents=True, exist_ok=True)
    for name, write in writers.items():
        write(corpus / name)
        print(f"wrote {corpus / name}")


def _table(document: object, rows: list[tuple[str, ...]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[attr-defined]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value


def _properties(document: object, title: str, author: str, created: dt.datetime = CREATED) -> None:
    props = document.core_properties  # type: ignore[attr-defined]
    props.title = title
    props.author = author
    props.created = created


WRITERS = {
    "travel_policy.docx": travel_policy,
    "supplier_agreements.docx": supplier_agreements,
    "security_policy.docx": security_policy,
    "all_hands_q3_2024.pptx": all_hands,
    "oncall_roster.xlsx": oncall_roster,
    "porter_pro_spec.pdf": product_spec,
    "data_retention.pdf": data_retention,
}


def main() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, write in WRITERS.items():
        write(CORPUS / name)
        print(f"wrote {CORPUS / name}")


if __name__ == "__main__":
    main()
