"""Office files, spreadsheets, web pages, laid-out PDFs and legacy encodings: their text,
structure and metadata, and a specific error for each kind of file that cannot be read."""

import datetime as dt
import io
import sys
import time
import zipfile
from pathlib import Path

import pytest

from groundgraph.ingest.base import SourceDocument, SourceError
from groundgraph.ingest.read_office import cell_text
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.sources import read_source
from groundgraph.ingest.structure import TextBuilder, markdown_regions
from tests import document_files

SETTINGS = IngestSettings()
REAL_FILES = Path(__file__).parent.parent / "data" / "office"


def read_one(path: Path, settings: IngestSettings = SETTINGS) -> SourceDocument:
    (doc,), errors = read_source(path, settings, str(path.parent))
    assert not errors
    return doc


def region_of(doc: SourceDocument, needle: str) -> tuple[str, str]:
    """(section, location) of the region holding the first occurrence of `needle`."""
    offset = doc.text.index(needle)
    region = [r for r in doc.regions if r.start <= offset][-1]
    return region.section, region.location


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return document_files.write_all(tmp_path_factory.mktemp("formats"))


def test_word_headings_become_sections_and_core_properties_metadata(files: Path) -> None:
    doc = read_one(files / "report.docx")
    assert doc.title == "Harbour Board Annual Report" and doc.named_title
    assert doc.author == "Mira Holt" and doc.created.startswith("2024-03-05T09:30")
    assert region_of(doc, "Tomas Quill") == ("Harbour Board Annual Report > Tunnels", "")
    assert region_of(doc, "4.2 million") == ("Harbour Board Annual Report > Finance > Budget", "")
    assert "Year: 1987; Work: New deck" in doc.text


def test_every_table_row_is_a_region_with_its_title_and_column_names(files: Path) -> None:
    doc = read_one(files / "report.docx")
    starts = [r.start for r in doc.regions]
    rows = ["Budget — Year: 1987; Work: New deck", "Budget — Year: 2003; Work: Paint"]
    table = doc.text.index(rows[0])
    assert doc.text[table:].split("\n\n")[:2] == rows
    # each row starts a region: a chunk of its own, joined neither to the paragraph above
    # nor to the next row
    assert table in starts and doc.text.index(rows[1]) in starts
    assert region_of(doc, "2003")[0] == "Harbour Board Annual Report > Finance > Budget"


def test_spreadsheet_dates_read_as_people_write_them() -> None:
    assert cell_text(dt.datetime(2024, 9, 2)) == "2024-09-02"
    assert cell_text(dt.datetime(2024, 9, 2, 14, 30)) == "2024-09-02 14:30"
    assert cell_text(dt.date(2024, 9, 2)) == "2024-09-02"
    assert cell_text(12.0) == "12"


def test_slides_are_locations_with_their_titles_as_sections(files: Path) -> None:
    doc = read_one(files / "deck.pptx")
    assert doc.title == "Lighthouse Project" and doc.author == "Ansel Varga"
    assert region_of(doc, "Ansel Varga") == ("Staffing", "slide 2")
    assert region_of(doc, "Lamp") == ("Costs", "slide 3")
    assert "Item: Lamp; Cost: 1200" in doc.text
    assert "Notes: Ask the council about the paint." in doc.text


def test_sheets_are_locations_and_rows_name_their_columns(files: Path) -> None:
    doc = read_one(files / "budget.xlsx")
    assert doc.author == "Ilse Brandt" and doc.created.startswith("2024-03-05")
    assert "Staff — Name: Margaret Wilson; Role: Treasurer; City: Glasgow" in doc.text
    assert "Sales — Region: North; Manager: Karl Ode; Revenue: 120000" in doc.text
    assert region_of(doc, "Margaret Wilson")[1] == "sheet Staff"
    assert region_of(doc, "Karl Ode")[1] == "sheet Sales"


def test_csv_rows_follow_the_documented_rule_with_a_sniffed_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name;Office;Phone\nOskar Lind;Varnhaven;\n;;\nSara Moe;Kestrel;555-0199\n")
    doc = read_one(path)
    assert doc.text == (
        "People — Name: Oskar Lind; Office: Varnhaven\n\n"
        "People — Name: Sara Moe; Office: Kestrel; Phone: 555-0199"
    )
    assert doc.encoding == "utf-8"


def test_web_page_keeps_main_content_headings_and_metadata_not_boilerplate(files: Path) -> None:
    doc = read_one(files / "bridge.html")
    for boilerplate in (*document_files.BOILERPLATE, "News", "Jobs"):
        assert boilerplate not in doc.text
    assert doc.title == "The Orlo Bridge"
    assert doc.author == "Jane Archivist" and doc.created == "2024-03-05"
    assert region_of(doc, "Petra Lund") == ("The Orlo Bridge > Design", "")
    assert "- Length: 310 metres" in doc.text
    assert "Year: 2003; Work: Painted green" in doc.text


def test_two_column_pdf_is_read_column_by_column_page_by_page(files: Path) -> None:
    doc = read_one(files / "columns.pdf")
    assert "founded in 1902 by the chemist Ada Rellen in the town of Kestrel" in doc.text
    assert "Its last captain was Hal Berg, who later ran the harbour office there." in doc.text
    assert region_of(doc, "Ada Rellen")[1] == "page 1"
    assert region_of(doc, "Saltmarsh")[1] == "page 2"
    assert doc.title == "Institutes of the Coast" and doc.author == "Test Writer"
    assert doc.created[:4].isdigit()


def test_windows_1252_text_is_detected_and_the_encoding_recorded(files: Path) -> None:
    doc = read_one(files / "notes-1252.txt")
    assert "Renée Faïs" in doc.text and "crêpes – and “the best coffee" in doc.text
    assert doc.encoding == "cp1252"


def test_markdown_headings_give_section_paths_outside_code_blocks() -> None:
    text = "Intro line.\n# Bridge\n\nText.\n\n## Design\n\n```\n# not a heading\n```\n\n# Tunnel\n"
    regions = markdown_regions(text)
    assert [r.section for r in regions] == ["", "Bridge", "Bridge > Design", "Tunnel"]
    assert [text[r.start : r.start + 3] for r in regions] == ["Int", "# B", "## ", "# T"]


def test_text_builder_regions_hold_exact_offsets() -> None:
    builder = TextBuilder()
    builder.page("page 1")
    builder.heading("Alpha", 1)
    builder.paragraph("One.")
    builder.page("page 2")
    builder.paragraph("Two.")
    text, regions = builder.build()
    assert text == "Alpha\n\nOne.\n\nTwo."
    assert [(text[r.start :][:4], r.section, r.location) for r in regions] == [
        ("Alph", "Alpha", "page 1"),
        ("Two.", "Alpha", "page 2"),
    ]


def test_real_office_files_made_by_word_and_powerpoint_are_read() -> None:
    word = read_one(REAL_FILES / "par-known-paragraphs.docx")
    assert word.author == "Steve Canny" and "Heading Paragraph" in word.text
    assert region_of(word, "Normal paragraph")[0] == "Heading Paragraph"
    slides = read_one(REAL_FILES / "txt-text.pptx")
    assert "Foo Bar Baz Zoo" in slides.text and region_of(slides, "Foo")[1] == "slide 1"
    sheet = read_one(REAL_FILES / "embedded.xlsx")
    assert sheet.text.split("\n\n") == ["Sheet1 — 1", "Sheet1 — 2", "Sheet1 — 3"]


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notzip.docx", b"plain text, not a package", "not a .docx file (damaged?)"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "password-protected"),
        ("hollow.pptx", _zip({"hello.txt": b"hi"}), "cannot read .pptx"),
        ("bad.csv", b'Name,Note\n"Ada,"unclosed\x00', "binary file"),
    ],
)
def test_bad_documents_give_a_specific_error(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        read_source(path, SETTINGS, str(tmp_path))
    assert caught.value.path == str(path)
    assert reason in caught.value.reason


def test_a_csv_row_with_more_values_than_columns_is_reported_and_left_out(
    tmp_path: Path,
) -> None:
    # "£24,000" unquoted: the row's values would shift under the wrong columns
    path = tmp_path / "donors.csv"
    path.write_text(
        "Donor,Gift,Contact\nSt Anne's Church,£3500,Paul Amis\nHartwell,£24,000,Joanne Reed\n"
        "Rotary,£6200,Graham Cole,,\n",
        encoding="utf-8",
    )
    [document], [error] = read_source(path, SETTINGS, str(tmp_path))
    assert (error.path, error.line) == (str(path), 3)
    assert "4 values" in error.reason and "3 columns" in error.reason
    assert "Hartwell" not in document.text
    # the other rows are read; empty cells after the last column are no values
    assert "Donor: St Anne's Church; Gift: £3500" in document.text
    assert "Donor: Rotary; Gift: £6200; Contact: Graham Cole" in document.text


def test_an_empty_word_file_and_a_zip_bomb_are_refused(tmp_path: Path) -> None:
    import docx

    empty = tmp_path / "empty.docx"
    docx.Document().save(empty)
    with pytest.raises(SourceError, match="has no text"):
        read_source(empty, SETTINGS, str(tmp_path))
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(_zip({"xl/huge.xml": bytes(3_000_000)}))
    small = IngestSettings(max_unpacked_bytes=1_000_000)
    with pytest.raises(SourceError, match="unpacks to 3000000 bytes"):
        read_source(bomb, small, str(tmp_path))


@pytest.mark.parametrize("suffix", [".docx", ".pptx", ".xlsx"])
def test_a_highly_compressed_member_or_too_many_members_is_refused_before_parsing(
    tmp_path: Path, suffix: str
) -> None:
    bomb = tmp_path / f"bomb{suffix}"
    bomb.write_bytes(_zip({"[Content_Types].xml": b"<Types/>", "part.xml": bytes(20_000_000)}))
    began = time.perf_counter()
    with pytest.raises(SourceError, match=r"part.xml is compressed \d+ to 1, over 100 to 1"):
        read_source(bomb, SETTINGS, str(tmp_path))
    assert time.perf_counter() - began < 5  # refused from the zip directory, not parsed
    crowded = tmp_path / f"crowded{suffix}"
    crowded.write_bytes(_zip({f"p{i}.xml": b"<p/>" for i in range(50)}))
    with pytest.raises(SourceError, match="holds 50 files, over 20"):
        read_source(crowded, IngestSettings(max_package_members=20), str(tmp_path))


def test_a_missing_reader_library_names_the_extra(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)  # as if python-docx were not installed
    with pytest.raises(
        SourceError, match=r"needs python-docx: pip install 'groundgraph\[documents\]'"
    ):
        read_source(files / "report.docx", SETTINGS, str(files))


def test_markdown_pipe_tables_become_titled_rows_each_a_region(tmp_path: Path) -> None:
    path = tmp_path / "rates.md"
    path.write_text(
        "# Rates\n\n## Mileage\n\n| Vehicle | Rate |\n|---|---:|\n| Car | 45p |\n"
        "| Bike | 20p |\n\nClaims go to finance.\n"
    )
    doc = read_one(path)
    rows = ["Mileage — Vehicle: Car; Rate: 45p", "Mileage — Vehicle: Bike; Rate: 20p"]
    assert all(row in doc.text for row in rows) and "|" not in doc.text
    starts = [r.start for r in doc.regions]
    assert all(doc.text.index(row) in starts for row in rows)
    assert region_of(doc, "Bike")[0] == "Rates > Mileage"
    assert region_of(doc, "Claims go")[0] == "Rates > Mileage"


def test_a_bare_html_page_keeps_its_table_as_rows(tmp_path: Path) -> None:
    # too small for trafilatura to find main content in: read whole, structure kept
    path = tmp_path / "teams.html"
    path.write_text(
        "<html><head><title>Teams</title></head><body><h1>Teams</h1>"
        "<table><tr><th>Team</th><th>Lead</th></tr><tr><td>Payments</td><td>Sofia Lind</td>"
        "</tr></table></body></html>"
    )
    doc = read_one(path)
    assert "Teams — Team: Payments; Lead: Sofia Lind" in doc.text


def test_a_file_slower_to_read_than_its_budget_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose reader takes longer than `ingest.max_read_seconds` is reported and
    skipped; the next file is read as usual."""
    from groundgraph.ingest import read_budget
    from groundgraph.ingest.changes import Sources, scan

    slow, quick = tmp_path / "slow.md", tmp_path / "quick.md"
    slow.write_text("# Slow\n\nThis one takes a while.\n")
    quick.write_text("# Quick\n\nThis one does not.\n")
    read = read_budget.read_source

    def slow_reader(path: Path, settings: IngestSettings, source: str):
        if path.name == "slow.md":
            time.sleep(3)
        return read(path, settings, source)

    monkeypatch.setattr(read_budget, "read_source", slow_reader)
    began = time.perf_counter()
    found = scan(Sources(paths=(tmp_path,)), IngestSettings(max_read_seconds=0.5))
    assert time.perf_counter() - began < 2.5
    assert [d.title for d in found.documents] == ["Quick"]
    [failed] = found.failed
    assert failed.path == str(slow) and "ingest.max_read_seconds" in failed.reason


def test_markdown_bold_labels_become_label_lines_outside_code(tmp_path: Path) -> None:
    path = tmp_path / "incident.md"
    path.write_text(
        "# IR-7\n\n**Date:** 3 February 2025\n- **Owner**: Ines Carvalho\n"
        "**bold words** stay: as written\n\n```\n**Kept:** in code\n```\n"
    )
    text = read_one(path).text
    assert "Date: 3 February 2025" in text and "- Owner: Ines Carvalho" in text
    assert "**bold words** stay: as written" in text and "**Kept:** in code" in text
