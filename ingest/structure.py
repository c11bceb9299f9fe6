"""A document's structure as regions of its text: where a section, a table, a page, a slide
or a sheet starts, so chunks never straddle one and citations can say where they quote.

Readers of structured formats (Word, PowerPoint, spreadsheets, web pages, PDF) build the
stored text with `TextBuilder`, which records the regions as it goes; Markdown keeps its own
text and has its regions found from its heading lines (`markdown_regions`).
"""

import re
from bisect import bisect_right
from dataclasses import dataclass

# Between blocks: a blank line, which also starts a sentence for spaCy (see `nlp.py`).
BLOCK_BREAK = "\n\n"
# Joins the headings of a section path: "Bridge > Design".
SECTION_SEPARATOR = " > "
# Between a table's title and one of its rows: "Price list — Product: Kit; Price: 1,150".
ROW_TITLE_SEPARATOR = " — "


@dataclass(frozen=True)
class Region:
    """A stretch of a document's text, from `start` to the next region's start.

    Attributes:
        section: the path of headings above it ("Orlo Bridge > Design"), or "".
        location: where it is in the original file ("page 3", "slide 2", "sheet Sales").
    """

    start: int
    section: str = ""
    location: str = ""


def row_text(header: list[str], row: list[str]) -> str:
    """A table row as text that keeps its column names: `Year: 1987; Work: New deck`.

    Empty cells are left out; a column without a header name is shown by its value alone, so
    every row reads on its own in a chunk, an embedding and a citation.
    """
    parts = []
    for i, value in enumerate(row):
        value = " ".join(value.split())
        if not value:
            continue
        name = " ".join(header[i].split()) if i < len(header) else ""
        parts.append(f"{name}: {value}" if name and name != value else value)
    return "; ".join(parts)


# A `Label: value` line is one cell when its value is this short ("Chair: Helen Achterberg").
_LABEL_VALUE_WORDS = 8


@dataclass(frozen=True)
class Cell:
    """One value of a table row (or of a `Label: value` line), with its column's name and
    its character offsets in the row's text."""

    column: str
    value: str
    start: int
    end: int


def row_cells(text: str) -> tuple[Cell, ...]:
    """The cells of a row as `TextBuilder.table` writes it ("Title — Column: value; ..."), or
    of a short `Label: value` line; () for any other text."""
    offset = text.find(ROW_TITLE_SEPARATOR)
    offset = offset + len(ROW_TITLE_SEPARATOR) if offset >= 0 else 0
    cells = []
    for part in text[offset:].split("; "):
        column, sep, value = part.partition(": ")
        if not sep:
            column, value = "", part
        start = offset + (len(column) + len(sep) if sep else 0)
        start += len(value) - len(value.lstrip())
        value = value.strip()
        cells.append(Cell(column.strip(), value, start, start + len(value)))
        offset += len(part) + 2
    named = [c for c in cells if c.column]
    if len(cells) >= 2 and named:
        return tuple(cells)
    if len(named) == 1 and len(named[0].value.split()) <= _LABEL_VALUE_WORDS:
        cell = named[0]
        value = cell.value.rstrip(".")
        return (Cell(cell.column, value, cell.start, cell.start + len(value)),)
    return ()


def looks_like_header(row: list[str]) -> bool:
    """A spreadsheet's or CSV's first row names its columns when its cells are all words:
    a first row with a number in it (or nothing) is data."""
    cells = [cell.strip() for cell in row if cell.strip()]
    return bool(cells) and not any(_is_number(cell) for cell in cells)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


class TextBuilder:
    """Assembles a document's stored text block by block and records its regions.

    Example:
        text = TextBuilder()
        text.page("page 1")
        text.heading("Design", level=1)
        text.paragraph("The bridge was designed by Tomas Quill.")
        stored, regions = text.build()
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._headings: list[tuple[int, str]] = []
        self._location = ""
        self._regions: list[Region] = []

    @property
    def section(self) -> str:
        return SECTION_SEPARATOR.join(text for _, text in self._headings)

    def page(self, location: str, new_sections: bool = False) -> None:
        """Start a new page, slide or sheet: what follows is cited as being there. With
        `new_sections` the headings above end here (a slide's sections are its own; a PDF's
        run across pages)."""
        self._location = location
        if new_sections:
            self._headings = []
        self._start_region()

    def heading(self, text: str, level: int = 1) -> None:
        """A heading: it ends the section above at its level and starts a new one with it."""
        text = " ".join(text.split())
        if not text:
            return
        self._headings = [(lv, t) for lv, t in self._headings if lv < level]
        self._headings.append((level, text))
        self._start_region()
        self._append(text)

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if text:
            self._append(text)

    def table(self, rows: list[list[str]], header: bool = True, title: str = "") -> None:
        """A table, each row a paragraph and a region of its own; with `header`, the first row
        names the columns and every row repeats them, and every row opens with the table's
        title (`title`, else the heading above it), so a row read alone, in a chunk, an
        embedding or a citation, still says what table it is and what each value is."""
        rows = [[cell or "" for cell in row] for row in rows]
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if not rows:
            return
        names = rows[0] if header and len(rows) > 1 else []
        body = rows[1:] if names else rows
        title = " ".join((title or (self._headings[-1][1] if self._headings else "")).split())
        lines = [row_text(names, row) for row in body]
        lines = [f"{title}{ROW_TITLE_SEPARATOR}{line}" if title else line for line in lines if line]
        if not lines:
            return
        for line in lines:
            self._start_region()  # a row is a region: a chunk of its own, found on its own
            self._append(line)
        self._start_region()

    def build(self) -> tuple[str, tuple[Region, ...]]:
        """The stored text and its regions (only those that hold text)."""
        text = "".join(self._parts)
        regions = self._regions
        return text, tuple(r for i, r in enumerate(regions) if _holds_text(regions, i, text))

    def _append(self, text: str) -> None:
        if self._parts:
            self._parts.append(BLOCK_BREAK)
            self._length += len(BLOCK_BREAK)
        self._parts.append(text)
        self._length += len(text)

    def _start_region(self) -> None:
        start = self._length + (len(BLOCK_BREAK) if self._parts else 0)
        region = Region(start, self.section, self._location)
        if self._regions and self._regions[-1].start == start:
            self._regions[-1] = region
        else:
            self._regions.append(region)


def _holds_text(regions: list[Region], i: int, text: str) -> bool:
    end = regions[i + 1].start if i + 1 < len(regions) else len(text)
    return bool(text[regions[i].start : end].strip())


_MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


def markdown_regions(text: str) -> tuple[Region, ...]:
    """The sections of a Markdown text, from its `#` heading lines (not those in code)."""
    fences = [m.start() for m in _FENCE.finditer(text)]
    headings: list[tuple[int, str]] = []
    regions: list[Region] = []
    for match in _MARKDOWN_HEADING.finditer(text):
        if bisect_right(fences, match.start()) % 2:
            continue  # inside a fenced code block
        level = len(match.group(1))
        headings = [(lv, t) for lv, t in headings if lv < level]
        headings.append((level, " ".join(match.group(2).split())))
        regions.append(Region(match.start(), SECTION_SEPARATOR.join(t for _, t in headings)))
    if regions and regions[0].start > 0 and text[: regions[0].start].strip():
        regions.insert(0, Region(0))
    return tuple(regions)


_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


# "**Incident commander:** Lucy Farrant" is the label line "Incident commander: Lucy Farrant".
_BOLD_LABEL = re.compile(
    r"^(?P<lead>\s*(?:[-*+]\s+)?)(?P<m>\*\*|__)(?P<label>[^*_\n:]{1,40}?)"
    r"(?::(?P=m)|(?P=m):)[ \t]*"
)


def _pipe_cells(line: str) -> list[str]:
    line = line.strip()
    line = line.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in line.split("|")]


def markdown_structure(text: str) -> tuple[str, tuple[Region, ...]]:
    """A Markdown text with its pipe tables written as `TextBuilder.table` writes any table
    (each row a paragraph: "Title — Column: value; ...", titled by the heading above) and
    its bold labels as plain ones ("**Chair:** Ruth Ellery" → "Chair: Ruth Ellery"), and
    its regions: the sections of its headings, and each table row a region of its own."""
    lines = text.split("\n")
    out: list[str] = []
    rows_at: list[int] = []
    heading, fenced, i = "", False, 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            fenced = not fenced
        found = None if fenced else _MARKDOWN_HEADING.match(line)
        if found:
            heading = " ".join(found.group(2).split())
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not fenced and "|" in line and _PIPE_RULE.match(following):
            header, i = _pipe_cells(line), i + 2
            body: list[str] = []
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                row = row_text(header, _pipe_cells(lines[i]))
                body.append(f"{heading}{ROW_TITLE_SEPARATOR}{row}" if heading else row)
                i += 1
            for row in body:
                out.append("")
                rows_at.append(sum(len(x) + 1 for x in out))
                out.append(row)
            out.append("")
            continue
        out.append(line if fenced else _BOLD_LABEL.sub(r"\g<lead>\g<label>: ", line))
        i += 1
    converted = "\n".join(out)
    regions = list(markdown_regions(converted))
    for start in rows_at:
        section = next((r.section for r in reversed(regions) if r.start <= start), "")
        regions.append(Region(start, section))
        end = converted.find("\n\n", start)
        if end >= 0:
            regions.append(Region(end + 2, section))
    unique = {r.start: r for r in sorted(regions, key=lambda r: r.start)}
    if unique and min(unique) > 0 and converted[: min(unique)].strip():
        unique[0] = Region(0)
    return converted, tuple(unique[k] for k in sorted(unique))
