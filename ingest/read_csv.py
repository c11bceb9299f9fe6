"""Reading CSV files: the first row names the columns (when it holds no numbers) and every
other row becomes one paragraph `Column: value; Column: value` (empty cells left out), so
each row reads on its own in a chunk and a citation. The delimiter is sniffed (comma,
semicolon, tab, pipe)."""

import csv
import io
from pathlib import Path

from groundgraph.ingest.base import SourceDocument, SourceError
from groundgraph.ingest.encoding import decode_text
from groundgraph.ingest.reading import file_document, read_bytes
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.structure import TextBuilder, looks_like_header

_SNIFF_CHARS = 8192
_DELIMITERS = ",;\t|"


def read_csv(path: Path, settings: IngestSettings, source: str) -> list[SourceDocument]:
    text, encoding = decode_text(path, read_bytes(path, settings))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:_SNIFF_CHARS], delimiters=_DELIMITERS
        )
    except csv.Error:
        dialect = csv.excel  # one column, or too little to tell
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = list(reader)
    except csv.Error as e:
        raise SourceError(str(path), f"malformed CSV: {e}", line=reader.line_num) from e
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    builder = TextBuilder()
    title = " ".join(path.stem.replace("_", " ").replace("-", " ").split()).capitalize()
    builder.table(rows, header=bool(rows) and looks_like_header(rows[0]), title=title)
    stored, regions = builder.build()
    if not stored:
        raise SourceError(str(path), "CSV file has no rows with values")
    return [file_document(path, "", stored, source, regions=regions, encoding=encoding)]
