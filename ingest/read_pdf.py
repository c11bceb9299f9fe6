"""Reading PDF files: text in reading order, page by page, with the file's metadata.

pypdf opens the file (encryption, metadata, page count) and pdfminer.six lays each page out
into text boxes in reading order: pypdf's own text follows the content stream, which for a
page drawn line by line across two columns interleaves them ("founded in 1902 / The Orlo
Bridge crosses / by the chemist ..."), while pdfminer reads one column, then the other
(`bench/formats.py` measures both).
"""

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTTextContainer
from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException
from pypdf import PasswordType, PdfReader
from pypdf.errors import PdfReadError

from groundgraph.ingest.base import SourceDocument, SourceError
from groundgraph.ingest.reading import file_document, read_bytes
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import TextBuilder

# What a damaged or unusual file makes the two libraries raise besides their own errors.
_BROKEN: tuple[type[Exception], ...] = (PdfReadError, PDFException, PSException)
_BROKEN += (ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError)
# A word broken across lines: "engi-\nneer".
_HYPHENATED = re.compile(r"(\w)-\n(\w)")


def read_pdf(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    data = read_bytes(path, settings)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise SourceError(str(path), "PDF is encrypted with a password; decrypt it first")
        text = TextBuilder()
        empty: list[int] = []
        for number, boxes in enumerate(_page_boxes(data), start=1):
            text.page(f"page {number}")
            for box in boxes:
                text.paragraph(box)
            if not boxes:
                empty.append(number)
        stored, regions = text.build()
    except _BROKEN as e:
        raise SourceError(str(path), f"cannot read PDF (damaged file?): {e}") from e
    if not stored:
        raise SourceError(str(path), _no_text(reader, empty))
    return [
        file_document(
            path,
            _info(reader, "title"),
            stored,
            source,
            regions=regions,
            author=_info(reader, "author"),
            created=_date(reader, "creation_date"),
            modified=_date(reader, "modification_date"),
        )
    ]


def _page_boxes(data: bytes) -> Iterator[list[str]]:
    """Each page's text boxes in reading order, each box one paragraph."""
    for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
        boxes = []
        for element in page:
            if isinstance(element, LTTextContainer):
                box = _HYPHENATED.sub(r"\1\2", element.get_text().strip())
                box = " ".join(box.split())
                if box:
                    boxes.append(box)
        yield boxes


def _no_text(reader: PdfReader, empty: list[int]) -> str:
    """Why a PDF gave no text: pypdf, asked for the first page, names a damaged stream."""
    with _pdf_warnings() as warned:
        try:
            if empty:
                reader.pages[empty[0] - 1].extract_text()
        except _BROKEN as e:
            warned.append(str(e))
    if warned:
        return f"cannot read PDF (damaged file?): {warned[0]}"
    return "PDF has no extractable text (scanned images?)"


@contextmanager
def _pdf_warnings() -> Iterator[list[str]]:
    """What pypdf logged while reading: a damaged stream shows as warnings, not errors."""
    found: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    handler = _Collect(level=logging.WARNING)
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


def _info(reader: PdfReader, name: str) -> str:
    try:
        value = getattr(reader.metadata, name, None) if reader.metadata else None
    except _BROKEN:
        return ""
    return " ".join(str(value).split()) if value else ""


def _date(reader: PdfReader, name: str) -> str:
    """An ISO-8601 date from the document information, or "" when absent or malformed."""
    try:
        value = getattr(reader.metadata, name, None) if reader.metadata else None
    except _BROKEN:
        return ""
    return value.isoformat() if isinstance(value, datetime) else ""
