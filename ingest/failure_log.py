"""The files and records the last write could not use, kept beside the store.

A bad file left in a source folder fails again on every refresh; the log lets a refresh tell
a failure it already reported from a new one, so a daily job fails only for what is new.
"""

import json
import os
from pathlib import Path

from groundgraph.ingest.base import FileError

FAILURES_FILE = "failures.json"


class FailureLog:
    """`failures.json` in a store directory, rewritten whole after every write."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FAILURES_FILE

    def read(self) -> set[FileError]:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            return {FileError(r["path"], r["reason"], r.get("line")) for r in rows}
        except (OSError, ValueError, KeyError, TypeError):
            return set()  # no log yet, or a damaged one: every failure counts as new

    def replace(self, failures: list[FileError]) -> set[FileError]:
        """Record `failures` as the latest, atomically; the ones recorded before them."""
        before = self.read()
        rows = [{"path": f.path, "line": f.line, "reason": f.reason} for f in failures]
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(self.path)
        return before
