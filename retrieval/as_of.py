"""Answering as of a day: only documents dated on or before it are evidence.

`ask(..., as_of=...)` retrieves more passages than it needs, leaves out those of documents
whose effective date is after the day, and keeps the best `k`; a second hop's retrieval
leaves them out the same way. A document with no date cannot be placed and stays in.
"""

from dataclasses import replace
from datetime import date

from groundgraph.graph.errors import UsageError
from groundgraph.retrieval.base import Context

# Passages retrieved per passage kept when newer documents are left out.
AS_OF_WIDENING = 3


def as_of_day(value: date | str | None) -> str:
    """The day as an ISO string ("" for None: today, every document).

    Raises:
        UsageError: a string that is not an ISO date.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise UsageError(
            f"as_of {value!r} is not a date; give an ISO date such as 2024-09-02"
        ) from None


def as_of_context(context: Context, as_of: str, k: int | None = None) -> Context:
    """The context without passages of documents dated after `as_of` (at most `k` kept)."""
    if not as_of:
        return context
    kept = tuple(c for c in context.chunks if not c.document_date or c.document_date <= as_of)
    return replace(context, chunks=kept[:k] if k else kept, as_of=as_of)
