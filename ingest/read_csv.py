"""Reading CSV files: the first row names the columns (when it holds no numbers) and every
other row becomes one paragraph `Column: value; Column: value` (empty cells left out), so
each row reads on its own in a chunk and a citation. The delimiter is sniffed (comma,
semicolon, tab, pipe). A row with more values than the header has columns is reported and
left out, not read under the wrong columns."""

import csv
import io
from pathlib import Path

from groundgraph.ingest.base import FileError, SourceDocument, SourceError
from groundgraph.ingest.encoding import decode_text
from groundgraph.ingest.reading import file_document, read_bytes
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import TextBuilder, looks_like_header

_SNIFF_CHARS = 8192
_DELIMITERS = ",;\t|"


def read_csv(
    path: Path, settings: IngestSettings, source: str
) -> tuple[list[SourceDocument], list[FileError]]:
    """The file as one document, and an error for each row that cannot be read (the rest of
    the file is still read)."""
    text, encoding = decode_text(path, read_bytes(path, settings))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:_SNIFF_CHARS], delimiters=_DELIMITERS
        )
    except csv.Error:
        dialect = csv.excel  # one column, or too little to tell
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    lines: list[int] = []
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as e:
        raise SourceError(str(path), f"malformed CSV: {e}", line=reader.line_num) from e
    header = bool(rows) and looks_like_header(rows[0])
    errors = _too_wide(path, rows, lines, dialect.delimiter) if header else {}
    rows = [row for i, row in enumerate(rows) if i not in errors]
    builder = TextBuilder()
    title = " ".join(path.stem.replace("_", " ").replace("-", " ").split()).capitalize()
    builder.table(rows, header=header, title=title)
    stored, regions = builder.build()
    if not stored:
        raise SourceError(str(path), "CSV file has no rows with values")
    document = file_document(path, "", stored, source, regions=regions, encoding=encoding)
    return [document], list(errors.values())


def _too_wide(
    path: Path, rows: list[list[str]], lines: list[int], delimiter: str
) -> dict[int, FileError]:
    """Rows with more values than the header has columns, by index: their values would be
    read under the wrong columns ("£24,000" unquoted in a comma-separated file), so they are
    left out and reported. Empty cells after the last column are no values."""
    width = len(rows[0])
    errors = {}
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        values = len(row) - next((n for n, c in enumerate(reversed(row)) if c.strip()), len(row))
        if i and values > width:
            reason = (
                f"a row has {values} values but the header names {width} columns: quote "
                f"values that contain the delimiter {delimiter!r}"
            )
            errors[i] = FileError(str(path), reason, line)
    return errors
