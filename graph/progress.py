"""The progress callback that long library calls report to (the CLI draws it as bars).

It lives in the bottom layer, beside `errors.py`, and imports nothing, so every layer can
accept one.
"""

from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    """Called as work advances: `stage` names the step, `done` of `total` items are finished."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def no_progress(stage: str, done: int, total: int) -> None:
    """The default: report nothing."""


StopCheck = Callable[[], bool]
"""Asked between files and batches of a write: True stops it at that boundary (the server
asks whether the client is still there)."""


def never() -> bool:
    """The default stop check: run to the end."""
    return False
