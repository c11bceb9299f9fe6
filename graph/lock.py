"""One writer per store: a lock file that names its holder.

Two ingests into one store used to run side by side without a word and both report the same
documents as added. A write now takes `STORE/write.lock` (an advisory `flock`, released by the
system when its process ends, so a killed writer leaves no stale lock) and writes its PID and
start time into it; a second writer waits up to `graph.lock_wait` seconds, then is refused with
a message naming the holder.
"""

import fcntl
import os
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
