"""A document's effective date: the day from which what it says holds.

Documents disagree over time (an old memo gives the old office address, a new one the new
address); which statement is current is decided by the dates of the documents that make
them. A document's date is, in this order:

1. `front matter`: a `date:` (or `effective:`, `updated:`) line of a Markdown front matter;
2. `title`: a date to the day or month in its title ("Board minutes 24 September 2024");
3. `first lines`: a labelled date near the top ("Date: 2 September 2024", "Effective from
   …", "Last updated …") or a line that is only a date;
4. `file properties`: the file's own metadata (Office core properties, PDF information, a
   web page's date meta tag): last modified, unless that is before created (a blank
   template's stamp that the writing program never updated), then created;
5. `file modified`: the file's modification time.

What the document itself states outranks its file's properties: an Office file's
properties hold the time it was saved or exported (a template's, a converter's), not the day
its contents took effect. A year alone ("Annual report 2023") dates nothing.
"""

import re
from datetime import UTC, datetime

from groundgraph.ingest.dates import DateParts, dates_in

FRONT_MATTER = "front matter"
TITLE = "title"
FIRST_LINES = "first lines"
FILE_PROPERTIES = "file properties"
FILE_MODIFIED = "file modified"

# Lines read for a labelled date: a memo's header block, a roster's heading and date line.
_FIRST_LINES = 8
# "Ricardo Fernandes (footballer, born January 1978)": a title's aside dates its subject.
_DISAMBIGUATION = re.compile(r"\([^()]*\)")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_FRONT_DATE = re.compile(
    r"^(?:date|effective(?:_date)?|updated|last_updated)\s*:\s*(?P<v>.+)$", re.I | re.M
)
_LABELLED = re.compile(
    r"^\W*(?:date|dated|effective(?:\s+(?:date|from))?|as\s+of|issued|published|"
    r"(?:last\s+)?(?:updated|revised|reviewed))\b\s*(?:on)?\s*[:\-–—]?\s*(?P<v>.+)$",
    re.I,
)
_ONLY_DATE = re.compile(
    r"^\W*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?P<v>[\w ,.\-/]{6,30})\W*$", re.I
)


def effective_date(
    text: str, title: str, created: str = "", modified: str = "", file_modified: float | None = None
) -> tuple[str, str]:
    """The document's effective date as an ISO day, and where it came from ("", "" when
    nothing dates it).

    Example:
        >>> effective_date("MEMO\\nDate: 2 September 2024\\nThe office moves.", "memo")
        ('2024-09-02', 'first lines')
    """
    front = _FRONT_MATTER.match(text)
    if front:
        stated = _FRONT_DATE.search(front.group("body"))
        day = _day(stated.group("v")) if stated else None
        if day:
            return day, FRONT_MATTER
    day = _day(_DISAMBIGUATION.sub("", title))
    if day:
        return day, TITLE
    day = _first_lines_date(text[front.end() if front else 0 :])
    if day:
        return day, FIRST_LINES
    stamp = modified[:10] if modified[:10] >= created[:10] else created[:10]
    if _day(stamp):
        return stamp, FILE_PROPERTIES
    if file_modified is not None:
        return datetime.fromtimestamp(file_modified, UTC).date().isoformat(), FILE_MODIFIED
    return "", ""


def _first_lines_date(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()][:_FIRST_LINES]
    for line in lines:
        labelled = _LABELLED.match(line)
        if labelled:
            day = _day(labelled.group("v"))
            if day:
                return day
    for line in lines:
        only = _ONLY_DATE.match(line)
        if only and _day(only.group("v"), whole=True):
            return _day(only.group("v"))
    return None


def _day(text: str, whole: bool = False) -> str | None:
    """The first date the text writes to the day or month, as an ISO day (a month is its
    first day); with `whole`, only when the text is nothing but that date."""
    found = [d for d in dates_in(text) if d[1] is not None]
    if not found or (whole and len(dates_in(text)) != 1):
        return None
    if whole and re.sub(r"[\d\s,./\-]", "", _without_months(text)):
        return None
    return _iso(found[0])


def _without_months(text: str) -> str:
    return re.sub(
        r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:st|nd|rd|th)?",
        "",
        re.sub(r"(?i)(?<=\d)(?:st|nd|rd|th)\b", "", text),
    )


def _iso(parts: DateParts) -> str | None:
    year, month, day = parts
    try:
        return datetime(year, month or 1, day or 1).date().isoformat()
    except ValueError:
        return None
