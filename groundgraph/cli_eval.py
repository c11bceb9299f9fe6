"""`groundgraph eval`: questions with known answers, asked and judged, usable as a CI gate."""

import json
from pathlib import Path

import click

from groundgraph.cli_options import (
    generator_option,
    interactive,
    json_option,
    opened,
    store_option,
)
from groundgraph.cli_output import err, out, progress_bars
from groundgraph.evaluation import Comparison, EvalReport, compare, load_previous
from groundgraph.settings import GeneratorName

_SHARE = click.FloatRange(0, 1)


@click.command("eval")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@store_option
@json_option
@generator_option
@click.option(
    "--k",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    help="Passages whose documents count for source recall.",
)
@click.option("--min-correct", type=_SHARE, help="Exit 1 below this share of correct answers.")
@click.option(
    "--max-grounded-wrong",
    type=_SHARE,
    help="Exit 1 above this share of grounded but wrong answers.",
)
@click.option("--min-recall", type=_SHARE, help="Exit 1 below this mean source recall@k.")
@click.option(
    "--compare",
    "previous",
    metavar="PREVIOUS",
    help="Show what changed since an earlier run: 'last', a store version, or a kept result file.",
)
def eval_command(
    file: Path,
    store: Path | None,
    as_json: bool,
    generator: GeneratorName | None,
    k: int,
    min_correct: float | None,
    max_grounded_wrong: float | None,
    min_recall: float | None,
    previous: str | None,
) -> None:
    """Ask the questions of FILE (JSON Lines with known answers) and judge the answers.

    Prints correct, grounded-but-wrong, abstained-when-unanswerable and source recall by
    question type. Exits 1 when the run misses a bar (naming the questions) or a line of
    FILE cannot be used.
    """
    with opened(store, create=False) as gg, progress_bars(interactive(as_json)) as bars:
        report = gg.evaluate(file, generator, k, bars)
        changed = (
            compare(load_previous(gg.directory, str(file), previous, report.store_version), report)
            if previous
            else None
        )
    misses = report.below(min_correct, max_grounded_wrong, min_recall)
    if as_json:
        shown = {**report.to_dict(), "below": misses}
        if changed is not None:
            shown["comparison"] = changed.to_dict()
        print(json.dumps(shown, ensure_ascii=False))
    else:
        _print_report(report)
        if changed is not None:
            _print_comparison(changed)
    for error in report.errors:
        err.print(f"error: {error}", style="red", highlight=False, markup=False)
    for miss in misses:
        err.print(f"below the bar: {miss}", style="red", highlight=False, markup=False)
    if misses or report.errors:
        raise click.exceptions.Exit(1)


def _print_report(report: EvalReport) -> None:
    from rich.table import Table

    table = Table(
        "type",
        "n",
        "correct",
        "grounded wrong",
        "abstained",
        f"recall@{report.k}",
        "s/q",
        title=f"{report.file} on store version {report.store_version} ({report.generator})",
        caption="shares of n; abstained: of the questions no document answers",
    )
    totals = report.totals()
    for name in sorted(totals, key=lambda n: (n == "all", n)):
        t = totals[name]
        table.add_row(
            name,
            str(t.questions),
            _share(t.correct),
            _share(t.grounded_wrong),
            _share(t.abstained_when_unanswerable),
            _share(t.recall),
            f"{t.seconds:.3f}",
        )
    out.print(table)
    for result in report.results:
        if not result.correct:
            verdict = "grounded but wrong" if result.grounded_wrong else "not answered"
            out.print(
                f"{verdict}: {result.question!r} → {result.short or result.answer!r}",
                highlight=False,
                markup=False,
            )


def _print_comparison(changed: Comparison) -> None:
    out.print(
        f"since store version {changed.before_version}: "
        + ", ".join(f"{name} {b:.3f} → {a:.3f}" for name, (b, a) in changed.totals.items()),
        highlight=False,
        markup=False,
    )
    for change in changed.changes:
        out.print(
            f"  {change.question!r}: {change.before} → {change.after}",
            highlight=False,
            markup=False,
        )
    if not changed.changes:
        out.print("  no question changed", highlight=False, markup=False)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
