"""Reading Office Open XML files: Word (`.docx`), PowerPoint (`.pptx`) and Excel (`.xlsx`).

Each goes through the library that reads its format directly (python-docx, python-pptx,
openpyxl), for the structure a converter to Markdown flattens: heading styles become
sections, each slide and sheet a location ("slide 4", "sheet Sales"), tables one region
each; and the core properties (author, created, modified, title) land on the document. The
libraries are the `documents` extra; without it these files fail with the command to run.
"""

import importlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from types import ModuleType
from typing import Any

from lxml.etree import XMLSyntaxError

from groundgraph.ingest.base import SourceDocument, SourceError
from groundgraph.ingest.reading import file_document, read_bytes
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import TextBuilder, looks_like_header

# Encrypted Office files and the old binary formats (.doc, .xls, .ppt) are OLE containers.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Members smaller than this are not held to the compression ratio (tiny XML parts compress
# far beyond it and cost nothing to parse).
_RATIO_FLOOR_BYTES = 1_000_000


def _library(path: Path, module: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise SourceError(
            str(path),
            f"reading {path.suffix} files needs {package}: pip install 'groundgraph[documents]'",
        ) from None


def _package(path: Path, settings: IngestSettings) -> io.BytesIO:
    """The file's bytes, once they are known to be a sane zip package."""
    data = read_bytes(path, settings)
    if data.startswith(_OLE_MAGIC):
        raise SourceError(
            str(path),
            "password-protected, or an old binary Office file renamed: save it as "
            f"{path.suffix} without a password",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except zipfile.BadZipFile as e:
        raise SourceError(str(path), f"not a {path.suffix} file (damaged?): {e}") from e
    problem = _bomb(members, settings)
    if problem:
        raise SourceError(str(path), f"{problem} (a zip bomb, or far too large); not read")
    return io.BytesIO(data)


def _bomb(members: list[zipfile.ZipInfo], settings: IngestSettings) -> str | None:
    """Why a package must not be unpacked, from its directory alone (checked before any
    parsing; zipfile then never unpacks a member past the size its directory declares)."""
    if len(members) > settings.max_package_members:
        return f"holds {len(members)} files, over {settings.max_package_members}"
    unpacked = sum(info.file_size for info in members)
    if unpacked > settings.max_unpacked_bytes:
        return f"unpacks to {unpacked} bytes, over {settings.max_unpacked_bytes}"
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _RATIO_FLOOR_BYTES and ratio > settings.max_compression_ratio:
            return (
                f"{info.filename} is compressed {ratio:.0f} to 1, over "
                f"{settings.max_compression_ratio:g} to 1"
            )
    return None


def _opened(path: Path, open_file: Any, data: io.BytesIO) -> Any:
    try:
        return open_file(data)
    except (KeyError, ValueError, XMLSyntaxError, zipfile.BadZipFile, AttributeError) as e:
        raise SourceError(str(path), f"cannot read {path.suffix} (damaged file?): {e}") from e
    except Exception as e:  # the libraries' own package errors have no common base
        raise SourceError(str(path), f"cannot read {path.suffix}: {e}") from e


def _stamp(value: object) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else ""


def _document(
    path: Path, text: TextBuilder, source: str, title: str, author: str, props: Any
) -> list[SourceDocument]:
    stored, regions = text.build()
    if not stored:
        raise SourceError(str(path), f"{path.suffix} file has no text")
    return [
        file_document(
            path,
            " ".join((title or "").split()),
            stored,
            source,
            regions=regions,
            author=" ".join((author or "").split()),
            created=_stamp(getattr(props, "created", None)),
            modified=_stamp(getattr(props, "modified", None)),
        )
    ]


def read_docx(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    docx = _library(path, "docx", "python-docx")
    document = _opened(path, docx.Document, _package(path, settings))
    # Style names by id, read once: `paragraph.style` resolves the style part on every call
    # (1.8 of 1.9 s reading a 400-paragraph file).
    styles = {style.style_id: style.name for style in document.styles}
    text = TextBuilder()
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            text.table(_docx_rows(block))
            continue
        style = styles.get(block._p.style or "", "")
        level = _heading_level(style)
        if level is not None:
            text.heading(block.text, level)
        elif style.startswith("List") and block.text.strip():
            text.paragraph(f"- {block.text.strip()}")
        else:
            text.paragraph(block.text)
    props = document.core_properties
    return _document(path, text, source, props.title, props.author, props)


def _heading_level(style: str) -> int | None:
    """The outline level of a paragraph style: Title 0, Heading 1 is 1, ..., else None."""
    if style == "Title":
        return 0
    name, _, level = style.rpartition(" ")
    return int(level) if name == "Heading" and level.isdigit() else None


def _docx_rows(table: Any) -> list[list[str]]:
    """A table's rows as cell texts, each merged cell once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell.text)
        rows.append(cells)
    return rows


def read_pptx(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    pptx = _library(path, "pptx", "python-pptx")
    presentation = _opened(path, pptx.Presentation, _package(path, settings))
    text = TextBuilder()
    for number, slide in enumerate(presentation.slides, start=1):
        text.page(f"slide {number}", new_sections=True)
        title = slide.shapes.title
        if title is not None and title.has_text_frame:
            text.heading(title.text_frame.text, 1)
        for shape in _shapes(slide.shapes):
            if title is not None and shape.shape_id == title.shape_id:
                continue
            if getattr(shape, "has_table", False) and shape.has_table:
                text.table([[cell.text for cell in row.cells] for row in shape.table.rows])
            elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                for paragraph in shape.text_frame.paragraphs:
                    text.paragraph(_pptx_text(paragraph))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                text.paragraph(f"Notes: {' '.join(notes.text.split())}")
    props = presentation.core_properties
    return _document(path, text, source, props.title, props.author, props)


def _shapes(shapes: Iterable[Any]) -> Iterator[Any]:
    """The shapes of a slide in order, the members of groups in place of the group."""
    for shape in shapes:
        if hasattr(shape, "shapes"):
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _pptx_text(paragraph: Any) -> str:
    # A line break inside a paragraph (a vertical tab in python-pptx's text) is a space.
    return " ".join(paragraph.text.replace("\v", " ").split())


def read_xlsx(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    openpyxl = _library(path, "openpyxl", "openpyxl")
    book = _opened(
        path,
        lambda data: openpyxl.load_workbook(data, read_only=True, data_only=True),
        _package(path, settings),
    )
    try:
        text = TextBuilder()
        for sheet in book.worksheets:
            text.page(f"sheet {sheet.title}", new_sections=True)
            rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            rows = [row for row in rows if any(cell.strip() for cell in row)]
            header = bool(rows) and looks_like_header(rows[0])
            text.table(rows, header=header, title=sheet.title)
        props = book.properties
        return _document(path, text, source, props.title, props.creator, props)
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A spreadsheet or CSV cell as people write it: whole numbers without `.0`, a date as
    `2024-09-02` (Excel stores every date as a midnight timestamp), a time of day only when
    it has one (`2024-09-02 14:30`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
