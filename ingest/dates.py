"""Dates as people write them, read into comparable parts.

A question says "the week starting 2024-09-16" where a roster row says `2024-09-16`, or "in
September 2024" where minutes say "24 September 2024": both are the same day or month only
once each is read into (year, month, day) with the parts it gives.
"""

import re

MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(\d{{4}})\b", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d{2}|20\d{2})\b")

DateParts = tuple[int, int | None, int | None]


def dates_in(text: str) -> list[DateParts]:
    """Every date the text writes, most precise reading first where readings overlap."""
    found: list[tuple[int, DateParts]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], parts: DateParts) -> None:
        span = match.span()
        if any(s < span[1] and span[0] < e for s, e in taken):
            return
        taken.append(span)
        found.append((span[0], parts))

    for m in _ISO.finditer(text):
        add(m, (int(m[1]), int(m[2]), int(m[3])))
    for m in _DAY_MONTH_YEAR.finditer(text):
        add(m, (int(m[3]), MONTHS[m[2].lower()], int(m[1])))
    for m in _MONTH_DAY_YEAR.finditer(text):
        add(m, (int(m[3]), MONTHS[m[1].lower()], int(m[2])))
    for m in _MONTH_YEAR.finditer(text):
        add(m, (int(m[2]), MONTHS[m[1].lower()], None))
    for m in _YEAR.finditer(text):
        add(m, (int(m[1]), None, None))
    return [parts for _, parts in sorted(found)]


def agrees(asked: DateParts, stated: DateParts) -> bool:
    """Whether a stated date falls within the one asked about ("September 2024" holds
    "24 September 2024"; "2024-09-16" is only that day)."""
    return all(a is None or a == s for a, s in zip(asked, stated, strict=True))


def sort_key(parts: DateParts) -> tuple[int, int, int]:
    year, month, day = parts
    return (year, month or 0, day or 0)
