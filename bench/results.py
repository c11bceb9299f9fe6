"""Appending a benchmark's table to bench/RESULTS.md, headed by its date and machine."""

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def record(title: str, details: str, table: str) -> None:
    """Append `table` under a `## title — date` heading with the machine and `details`."""
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}"
    header = f"\n## {title} — {datetime.now(UTC):%Y-%m-%d}\n\nMachine: {machine}. {details}\n\n"
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(header + table + "\n")
