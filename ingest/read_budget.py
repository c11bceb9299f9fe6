"""Reading one file within a time budget, so that one file cannot hold a writer for minutes.

The size limits (`max_file_bytes`, the zip limits) refuse what is too big before it is read;
this catches what is slow to read anyway (a crafted PDF, a spreadsheet of a million cells).
Python cannot stop a thread, so the reader runs on a daemon thread that is left to finish
in the background when the budget is spent: its result is thrown away, the file is reported
as failed, and the write goes on to the next file.
"""

import threading
from pathlib import Path

from groundgraph.ingest.base import FileError, SourceDocument, SourceError
from groundgraph.ingest.settings import IngestSettings
from groundgraph.ingest.sources import read_source

Read = tuple[list[SourceDocument], list[FileError]]


def read_within_budget(path: Path, settings: IngestSettings, source: str) -> Read:
    """`read_source`, given up after `settings.max_read_seconds`.

    Raises:
        SourceError: the file cannot be used, or reading it took longer than the budget.
    """
    budget = settings.max_read_seconds
    if not budget:
        return read_source(path, settings, source)
    outcome: list[Read | Exception] = []

    def read() -> None:
        try:
            outcome.append(read_source(path, settings, source))
        except Exception as e:  # handed to the caller's thread
            outcome.append(e)

    reader = threading.Thread(target=read, name=f"read {path.name}", daemon=True)
    reader.start()
    reader.join(budget)
    if not outcome:
        raise SourceError(
            str(path),
            f"reading it took longer than {budget:g} s (ingest.max_read_seconds); skipped",
        )
    result = outcome[0]
    if isinstance(result, Exception):
        raise result
    return result
