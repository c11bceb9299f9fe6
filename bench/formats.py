"""Reading speed per format (files/s and MB/s), and the two choices of reader measured.

    .venv/bin/python bench/formats.py            # prints and records in bench/RESULTS.md
    .venv/bin/python bench/formats.py --no-record

Two sets of files: the small files of `tests/document_files.py` (one of each format, a page
or two each), and large ones of each format generated here (a 400-paragraph Word file, a
100-slide deck, a 20,000-row sheet and CSV, a 300-section web page, a 60-page two-column PDF).
Each file is read (`read_source`: bytes to stored text and regions, no parsing) repeatedly
for at least `--seconds`. Then the measured choices: PDF text by pypdf (content-stream order)
against pdfminer.six (layout analysis), scored by how many of the two-column page's sentences
come out whole; HTML by selectolax (all visible text) against trafilatura (main content),
scored by the navigation and footer strings that leak into the text.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results import record

from groundgraph.ingest.html import html_to_text
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.sources import read_source
from tests import document_files

SETTINGS = IngestSettings()
SENTENCE = "The {n}th report of the Harbour Board was written by clerk number {n} in Pellford."


def large_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    for n in range(400):
        if n % 20 == 0:
            document.add_heading(f"Part {n // 20}", level=1)
        document.add_paragraph(SENTENCE.format(n=n) + " " + SENTENCE.format(n=n + 1))
    document.save(path)


def large_pptx(path: Path) -> None:
    import pptx

    deck = pptx.Presentation()
    for n in range(100):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Slide {n}"
        slide.placeholders[1].text = SENTENCE.format(n=n)
    deck.save(path)


def large_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Ledger")
    sheet.append(["Entry", "Clerk", "Town", "Amount"])
    for n in range(20_000):
        sheet.append([n, f"Clerk {n % 97}", "Pellford", n * 1.5])
    book.save(path)


def large_csv(path: Path) -> None:
    rows = ["Entry,Clerk,Town,Amount"]
    rows += [f"{n},Clerk {n % 97},Pellford,{n * 1.5}" for n in range(20_000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def large_html(path: Path) -> None:
    sections = "".join(
        f"<h2>Section {n}</h2><p>{SENTENCE.format(n=n)} {SENTENCE.format(n=n + 1)}</p>"
        for n in range(300)
    )
    nav = "<nav>" + " | ".join(f"<a href='/{n}'>Link {n}</a>" for n in range(40)) + "</nav>"
    path.write_text(
        f"<html><head><title>Ledger</title></head><body><header>{nav}</header><main><article>"
        f"<h1>Ledger</h1>{sections}</article></main><footer>Copyright Acme</footer></body></html>",
        encoding="utf-8",
    )


def large_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for page in range(60):
        y = 800
        for line in range(45):
            n = page * 45 + line
            pdf.drawString(40, y, f"Left column line {n} of the ledger.")
            pdf.drawString(310, y, f"Right column line {n} of the ledger.")
            y -= 16
        pdf.showPage()
    pdf.save()


def large_text(path: Path) -> None:
    text = " ".join(SENTENCE.format(n=n) for n in range(20_000)).replace("th", "þ")
    path.write_bytes(text.encode("cp1252", errors="replace"))


LARGE = {
    "report.docx": large_docx,
    "deck.pptx": large_pptx,
    "ledger.xlsx": large_xlsx,
    "ledger.csv": large_csv,
    "ledger.html": large_html,
    "ledger.pdf": large_pdf,
    "ledger-1252.txt": large_text,
}


def reading_rate(path: Path, seconds: float) -> tuple[float, float, int]:
    """(files/s, MB/s, stored characters) of reading `path` again and again."""
    began, reads, chars = time.perf_counter(), 0, 0
    while True:
        docs, errors = read_source(path, SETTINGS, str(path.parent))
        assert docs and not errors, errors
        chars = sum(len(d.text) for d in docs)
        reads += 1
        elapsed = time.perf_counter() - began
        if elapsed >= seconds and reads >= 2:
            break
    size = path.stat().st_size / 1e6
    return reads / elapsed, reads * size / elapsed, chars


def pdf_reading_order(path: Path) -> list[str]:
    """Rows comparing pypdf's and pdfminer's text of the two-column test page."""
    from pdfminer.high_level import extract_text
    from pypdf import PdfReader

    wanted = [
        "founded in 1902 by the chemist Ada Rellen in the town of Kestrel",
        "Its last captain was Hal Berg, who later ran the harbour office there.",
    ]
    rows = []
    for name, read in (
        (
            "pypdf (stream order)",
            lambda: "\n".join(p.extract_text() for p in PdfReader(path).pages),
        ),
        ("pdfminer.six (layout)", lambda: extract_text(path)),
    ):
        text = " ".join(read().split())
        whole = sum(sentence in text for sentence in wanted)
        began, reads = time.perf_counter(), 0
        while time.perf_counter() - began < 1.0 or reads < 2:
            read()
            reads += 1
        rate = reads / (time.perf_counter() - began)
        rows.append(f"| {name} | {whole} of {len(wanted)} | {rate:.1f} |")
    return rows


def html_boilerplate(path: Path) -> list[str]:
    import trafilatura

    html = path.read_text(encoding="utf-8")
    rows = []
    for name, read in (
        ("selectolax (all visible text)", lambda: html_to_text(html)[1]),
        ("trafilatura (main content)", lambda: trafilatura.extract(html, include_tables=True)),
    ):
        text = read() or ""
        leaked = sum(b in text for b in document_files.BOILERPLATE)
        kept = "Petra Lund" in text
        began, reads = time.perf_counter(), 0
        while time.perf_counter() - began < 1.0 or reads < 2:
            read()
            reads += 1
        rate = reads / (time.perf_counter() - began)
        rows.append(
            f"| {name} | {leaked} of {len(document_files.BOILERPLATE)} | "
            f"{'yes' if kept else 'no'} | {rate:.0f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per file, at least")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="groundgraph-formats-") as tmp:
        small = document_files.write_all(Path(tmp) / "small")
        large = Path(tmp) / "large"
        large.mkdir()
        for name, write in LARGE.items():
            write(large / name)
        lines = [
            "| file | set | size KB | stored chars | files/s | MB/s |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for folder in (small, large):
            for path in sorted(folder.iterdir()):
                files, mb, chars = reading_rate(path, args.seconds)
                lines.append(
                    f"| {path.name} | {folder.name} | {path.stat().st_size / 1e3:,.1f} | "
                    f"{chars:,} | {files:,.1f} | {mb:.2f} |"
                )
                print(lines[-1], flush=True)
        pdf = ["", "| PDF reader | two-column sentences whole | reads/s |", "| --- | ---: | ---: |"]
        pdf += pdf_reading_order(small / "columns.pdf")
        html = [
            "",
            "| HTML reader | boilerplate strings kept | article kept | reads/s |",
            "| --- | ---: | --- | ---: |",
        ]
        html += html_boilerplate(small / "bridge.html")
    table = "\n".join(lines + pdf + html)
    print("\n".join(pdf + html))
    if not args.no_record:
        record(
            "Reading speed per format",
            f"Command: `python bench/formats.py --seconds {args.seconds:g}`; reading only "
            "(bytes to stored text and regions), no parsing or embedding.",
            table,
        )


if __name__ == "__main__":
    main()
