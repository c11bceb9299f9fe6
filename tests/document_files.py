"""A folder of the formats organisations keep, built with the libraries that write them, each
file holding facts found nowhere else, for the reader tests and `bench/formats.py`."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

BOILERPLATE = ("Home | About | Contact", "Copyright 2024 Acme Corporation", "Privacy policy")


@dataclass(frozen=True)
class Fact:
    """A question whose answer sits in one file, and where a citation must point."""

    question: str
    file: str
    answer: str
    section: str = ""
    location: str = ""


FACTS = (
    Fact(
        "Who designed the Kestrel Tunnel?",
        "report.docx",
        "Tomas Quill",
        section="Harbour Board Annual Report > Tunnels",
    ),
    Fact(
        "Who is the lighthouse keeper of Pellford?",
        "deck.pptx",
        "Ansel Varga",
        section="Staffing",
        location="slide 2",
    ),
    Fact(
        "Who is the Treasurer?",
        "budget.xlsx",
        "Margaret Wilson",
        location="sheet Staff",
    ),
    Fact("Which office does Oskar Lind work in?", "staff.csv", "Varnhaven"),
    Fact(
        "Who designed the Orlo Bridge?",
        "bridge.html",
        "Petra Lund",
        section="The Orlo Bridge > Design",
    ),
    Fact("Who founded the Varn Institute?", "columns.pdf", "Ada Rellen", location="page 1"),
    Fact("Where did the Saltmarsh Archive move to?", "columns.pdf", "Edinburgh", location="page 2"),
    Fact("Who founded the Café Moulin?", "notes-1252.txt", "Renée Faïs"),
)

CREATED = dt.datetime(2024, 3, 5, 9, 30)


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Harbour Board Annual Report", level=0)
    document.add_paragraph("This report covers the work of the Harbour Board in 2023.")
    document.add_heading("Tunnels", level=1)
    document.add_paragraph(
        "The Kestrel Tunnel was designed by the engineer Tomas Quill. It opened in 1964 "
        "and carries the coast road under the headland."
    )
    document.add_heading("Finance", level=1)
    document.add_heading("Budget", level=2)
    document.add_paragraph("The board spent 4.2 million crowns on repairs in 2023.")
    table = document.add_table(rows=3, cols=2)
    rows = [("Year", "Work"), ("1987", "New deck"), ("2003", "Paint")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.core_properties.author = "Mira Holt"
    document.core_properties.title = "Harbour Board Annual Report"
    document.core_properties.created = CREATED
    document.save(path)


def write_pptx(path: Path) -> None:
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    layout = deck.slide_layouts[1]
    slides = [
        ("Lighthouse Project", "The project to restore the Pellford light began in March."),
        ("Staffing", "The lighthouse keeper of Pellford is Ansel Varga."),
    ]
    for title, body in slides:
        slide = deck.slides.add_slide(layout)
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Costs"
    shape = slide.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2))
    for r, values in enumerate([("Item", "Cost"), ("Lamp", "1200"), ("Paint", "300")]):
        for c, value in enumerate(values):
            shape.table.cell(r, c).text = value
    slide.notes_slide.notes_text_frame.text = "Ask the council about the paint."
    deck.core_properties.author = "Ansel Varga"
    deck.core_properties.title = "Lighthouse Project"
    deck.save(path)


def write_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sales = book.active
    sales.title = "Sales"
    for row in [
        ("Region", "Manager", "Revenue"),
        ("North", "Karl Ode", 120000.0),
        ("South", "Una Free", 98000),
    ]:
        sales.append(row)
    staff = book.create_sheet("Staff")
    for row in [
        ("Name", "Role", "City"),
        ("Margaret Wilson", "Treasurer", "Glasgow"),
        ("Jon Ekdal", "Clerk", "Kestrel"),
    ]:
        staff.append(row)
    book.properties.creator = "Ilse Brandt"
    book.properties.created = CREATED
    book.save(path)


def write_csv(path: Path) -> None:
    path.write_text(
        "Name,Office,Phone\nOskar Lind,Varnhaven,555-0142\nSara Moe,Kestrel,555-0199\n",
        encoding="utf-8",
    )


def write_html(path: Path) -> None:
    path.write_text(
        """<!doctype html><html><head><title>Orlo Bridge | Acme Intranet</title>
<meta name="author" content="Jane Archivist"><meta name="date" content="2024-03-05"></head>
<body><header><nav><a href="/">Home</a> | <a href="/about">About</a> |
<a href="/c">Contact</a></nav></header>
<div class="sidebar"><ul><li><a href="/news">News</a></li>
<li><a href="/jobs">Jobs</a></li></ul></div>
<main><article><h1>The Orlo Bridge</h1>
<p>The Orlo Bridge crosses the river Tam at Pellford. It was finished in 1931 after six years of
work by the Harbour Board.</p>
<h2>Design</h2>
<p>The Orlo Bridge was designed by the engineer Petra Lund, who also planned the Pellford docks
and the old lighthouse road.</p>
<ul><li>Length: 310 metres</li><li>Spans: three steel arches</li></ul>
<h2>Repairs</h2>
<p>In 1987 the deck was replaced, and the bridge was painted green again in 2003 by the town
council of Pellford.</p>
<table><tr><th>Year</th><th>Work</th></tr><tr><td>1987</td><td>New deck</td></tr>
<tr><td>2003</td><td>Painted green</td></tr></table>
</article></main>
<footer><p>Copyright 2024 Acme Corporation. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer></body></html>""",
        encoding="utf-8",
    )


def write_pdf(path: Path) -> None:
    """Two columns drawn line by line across the page, so the content stream interleaves them
    (as many generated reports do), and a second page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    left = [
        "The Varn Institute was founded in 1902",
        "by the chemist Ada Rellen in the town",
        "of Kestrel on the northern coast.",
        "Its first building was a boathouse.",
    ]
    right = [
        "The Tam ferry crossed the river at",
        "Pellford until the bridge opened.",
        "Its last captain was Hal Berg, who",
        "later ran the harbour office there.",
    ]
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Institutes of the Coast")
    pdf.setAuthor("Test Writer")
    y = 780
    for a, b in zip(left, right, strict=True):
        pdf.drawString(50, y, a)
        pdf.drawString(320, y, b)
        y -= 16
    pdf.showPage()
    pdf.drawString(50, 780, "The Saltmarsh Archive moved to Edinburgh in 1988.")
    pdf.save()


def write_cp1252(path: Path) -> None:
    text = (
        "The Café Moulin in Montréal was founded by Renée Faïs in 1998. "
        "She sold crêpes – and “the best coffee in town”.\n"
    )
    path.write_bytes(text.encode("cp1252"))


WRITERS = {
    "report.docx": write_docx,
    "deck.pptx": write_pptx,
    "budget.xlsx": write_xlsx,
    "staff.csv": write_csv,
    "bridge.html": write_html,
    "columns.pdf": write_pdf,
    "notes-1252.txt": write_cp1252,
}


def write_all(folder: Path) -> Path:
    """Every file of `WRITERS` in `folder`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, write in WRITERS.items():
        write(folder / name)
    return folder
