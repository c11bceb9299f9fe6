"""What the CLI draws on a terminal: progress bars with rate and ETA, reports, stage timings.

Everything here writes to stderr except what a command answers (stdout), so `--json` output
stays machine-readable.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from groundgraph.graph.progress import Progress as ProgressCallback
    from groundgraph.ingest.base import FileError
    from groundgraph.write_path import IngestReport

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


class _RateColumn(ProgressColumn):
    """Items per second, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "", style="progress.data.speed")


@contextmanager
def progress_bars(enabled: bool) -> Iterator["ProgressCallback"]:
    """A `Progress` callback that draws one bar per stage with count, rate and ETA."""
    if not enabled:
        yield _no_progress
        return
    columns = (
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bars:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield report


def _no_progress(stage: str, done: int, total: int) -> None:
    """Progress nobody watches."""


def failure_line(failure: "FileError") -> str:
    """`path:line: reason`, the one format every unusable file or record is reported in."""
    return str(failure)


def print_report(report: "IngestReport", timings: bool) -> None:
    """The counts on stdout; each failure (known ones marked) and, on a terminal, the time
    each stage took, on stderr."""
    counts = ", ".join(f"{n} {name}" for name, n in report.summary().items())
    out.print(f"documents: {counts}", highlight=False)
    for failure in report.failed:
        known = " (failed before too)" if failure in report.known_failures else ""
        err.print(f"[red]failed:[/red] {escape(failure_line(failure))}{known}", highlight=False)
    if timings:
        table = Table("stage", "seconds", title="time per stage", title_justify="left")
        for stage, seconds in report.stage_seconds().items():
            table.add_row(stage, f"{seconds:.2f}")
        err.print(table)
