"""Where a model's reply ends, the same for every runtime."""

from collections.abc import Sequence

STOP_AT = "\n\n"
"""An answer ends at its first blank line (the grounded generator keeps no more): small models
otherwise run on to the token budget, seconds of text thrown away."""


def cut_at(text: str, stop: Sequence[str]) -> str:
    """The text before the first occurrence of any of the stop strings."""
    ends = [found for s in stop if s and (found := text.find(s)) >= 0]
    return text[: min(ends)] if ends else text
