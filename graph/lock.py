"""One writer per store: a lock file that names its holder.

Two ingests into one store used to run side by side without a word and both report the same
documents as added. A write now takes `STORE/write.lock` (an advisory `flock`, released by the
system when its process ends, so a killed writer leaves no stale lock) and writes its PID and
start time into it; a second writer waits up to `graph.lock_wait` seconds, then is refused with
a message naming the holder.
"""

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from groundgraph.graph.base import StoreError
from groundgraph.graph.progress import Progress, no_progress

LOCK_FILE = "write.lock"
_POLL_SECONDS = 0.2


class StoreLockedError(StoreError):
    """Another process is writing to the store."""


@contextmanager
def write_lock(directory: Path, wait: float, progress: Progress = no_progress) -> Iterator[float]:
    """Hold the store's write lock; yields how many seconds were spent waiting for it.

    Raises:
        StoreLockedError: another writer still held it after `wait` seconds.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_FILE
    began = time.monotonic()
    with path.open("a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - began
                if waited >= wait:
                    raise StoreLockedError(
                        f"another groundgraph write holds {path} ({_holder(path)}); wait for "
                        f"it to finish (graph.lock_wait: {wait:g} s) or stop that process"
                    ) from None
                progress("wait for writer", int(waited), int(wait))
                time.sleep(_POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        handle.flush()
        try:
            yield time.monotonic() - began
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "holder unknown"
    except OSError:
        return "holder unknown"


class StoreWriteLock:
    """The store's write lock, re-entrant in the thread that holds it.

    A write runs stages that each hold the lock (`groundgraph/write_stages.py`); when the
    caller already holds it around them (one CLI write, one Dagster run) a stage goes straight
    on instead of waiting on itself, since `flock` refuses a second handle even in the same
    process. Another thread still waits for the lock like another process does.
    """

    def __init__(self, directory: Path, wait: float) -> None:
        self.directory = directory
        self.wait = wait
        self._owner: int | None = None

    @property
    def held(self) -> bool:
        """Whether this thread holds the lock."""
        return self._owner == threading.get_ident()

    @contextmanager
    def hold(self, progress: Progress = no_progress) -> Iterator[float]:
        """Hold the lock; yields the seconds spent waiting (0 when already held)."""
        if self.held:
            yield 0.0
            return
        with write_lock(self.directory, self.wait, progress) as waited:
            self._owner = threading.get_ident()
            try:
                yield waited
            finally:
                self._owner = None
