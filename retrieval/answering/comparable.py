"""Values an "A or B?" question compares: dates, lengths of time and amounts, each read into
a tuple that orders as the question means ("1 year" is longer than "30 days")."""

import re

from groundgraph.ingest.dates import dates_in, sort_key

_AMOUNT = re.compile(r"\d+(?:\.\d+)?")
_DURATION = re.compile(
    r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>second|minute|hour|day|week|month|year)s?"
)
_DAYS = {
    "second": 1 / 86_400,
    "minute": 1 / 1_440,
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 30.44,
    "year": 365.25,
}


def comparable(value: str) -> tuple[float, ...] | None:
    """A value compared as a date (its first, as year, month, day), a length of time in days
    ("1 year" is longer than "30 days"), else as an amount ("£21,000" → (21000.0,))."""
    dates = dates_in(value)
    if dates:
        return tuple(float(part) for part in sort_key(dates[0]))
    duration = _DURATION.fullmatch(value.strip().lower())
    if duration:
        return (float(duration["amount"]) * _DAYS[duration["unit"]],)
    match = _AMOUNT.search(value.replace(",", ""))
    return (float(match.group()),) if match else None
