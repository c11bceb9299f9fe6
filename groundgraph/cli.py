"""The `groundgraph` command line: ingest, refresh, import-rdf, export, ask, stats, check,
delete, feedback, finetune; `eval` is in `cli_eval.py`, `entities` in `cli_entities.py`, the
servers (serve, mcp, ui) in `cli_servers.py`.

Every error prints as one `error:` line: exit status 2 for a command used wrongly (a missing
argument, an empty question), 1 for anything that failed; `--debug` shows the traceback
instead. Verbs that only read refuse a store that does not exist. `--json` prints
machine-readable output on stdout and nothing else.
"""

import json
import sys
import traceback
from pathlib import Path
from typing import Any, get_args

import click
from rich.markup import escape

from groundgraph.cli_entities import entities
from groundgraph.cli_eval import eval_command
from groundgraph.cli_options import (
    fail,
    generator_option,
    interactive,
    json_option,
    opened,
    store_option,
    version,
)
from groundgraph.cli_output import err, out, print_report, progress_bars
from groundgraph.cli_servers import mcp, serve, ui
from groundgraph.finetune.feedback import Rating
from groundgraph.graph.errors import GroundGraphError, UsageError
from groundgraph.retrieval.retrievers.routing import Mode as AnswerMode
from groundgraph.settings import GeneratorName


class _Commands(click.Group):
    """Runs a command and turns every error into one line and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = ctx.params.get("debug", False)
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.UsageError):
            raise
        except UsageError as e:
            if debug:
                raise
            fail(str(e), 2)
        except GroundGraphError as e:
            if debug:
                raise
            fail(str(e), 1)
        except Exception as e:  # a bug: still one line, with the way to the traceback
            if debug:
                raise
            last = traceback.extract_tb(e.__traceback__)[-1]
            fail(
                f"internal error: {type(e).__name__}: {e} (at {Path(last.filename).name}:"
                f"{last.lineno}); run with --debug for the traceback",
                1,
            )


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version(), "--version", prog_name="groundgraph")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
def app(debug: bool) -> None:
    """A knowledge graph and vector index of your documents, with cited answers."""


def main() -> None:
    """The console entry point: click's usage errors print as `error:` lines, exit 2."""
    try:
        status = app.main(prog_name="groundgraph", standalone_mode=False)
    except click.UsageError as e:
        hint = f" (see `{e.ctx.command_path} --help`)" if e.ctx else ""
        err.print(f"[red]error:[/red] {escape(e.format_message())}{hint}", highlight=False)
        sys.exit(2)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        err.print("[red]error:[/red] interrupted", highlight=False)
        sys.exit(130)
    sys.exit(status if isinstance(status, int) else 0)


@app.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH..."
)
@store_option
@json_option
def ingest(paths: tuple[Path, ...], store: Path | None, as_json: bool) -> None:
    """Ingest files and directory trees into the store (made if missing).

    Exits 1 if any file failed; the rest is stored.
    """
    with opened(store, create=True) as gg, progress_bars(interactive(as_json)) as bars:
        report = gg.ingest(paths, progress=bars)
    _show(report, as_json)
    if not report.ok:
        raise click.exceptions.Exit(1)


@app.command()
@store_option
@json_option
@click.option(
    "--fail-on-known",
    is_flag=True,
    help="Exit 1 for every failing file, also those that failed at the last write.",
)
def refresh(store: Path | None, as_json: bool, fail_on_known: bool) -> None:
    """Re-read every ingested source: pick up changed files, drop deleted ones.

    Exits 1 when a file failed that did not fail at the last write (every failure with
    --fail-on-known).
    """
    with opened(store, create=False) as gg, progress_bars(interactive(as_json)) as bars:
        report = gg.refresh(progress=bars)
    _show(report, as_json)
    if report.new_failures or (fail_on_known and not report.ok):
        raise click.exceptions.Exit(1)


@app.command("import-rdf")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE..."
)
@store_option
@click.option(
    "--format",
    "rdf_format",
    type=click.Choice(["turtle", "nt", "n3", "xml", "jsonld"]),
    help="RDF syntax of every file (default: by extension).",
)
@json_option
def import_rdf(
    paths: tuple[Path, ...], store: Path | None, rdf_format: str | None, as_json: bool
) -> None:
    """Import RDF files as entities and relations into the store (made if missing).

    Exits 1 if any file failed; it changed nothing, and the other files are stored.
    """
    with opened(store, create=True) as gg, progress_bars(interactive(as_json)) as bars:
        report = gg.import_rdf(paths, rdf_format, progress=bars)
    _show(report, as_json)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _show(report: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print_report(report, timings=sys.stderr.isatty())


@app.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    metavar="FILE",
    help="File to write.",
)
@store_option
@click.option(
    "--format",
    "rdf_format",
    type=click.Choice(["turtle", "nt", "jsonld"]),
    default="turtle",
    show_default=True,
    help="RDF syntax.",
)
@json_option
def export(output: Path, store: Path | None, rdf_format: str, as_json: bool) -> None:
    """Export the graph as RDF with provenance (documents, chunks, entities, relations)."""
    with opened(store, create=False) as gg:
        counts = gg.export_rdf(output, rdf_format)
    if as_json:
        print(json.dumps({"output": str(output), "format": rdf_format, **vars(counts)}))
        return
    out.print(
        f"wrote {counts.triples} triples ({counts.documents} documents, {counts.chunks} chunks, "
        f"{counts.entities} entities, {counts.relations} relations) to {output}",
        highlight=False,
        markup=False,
    )


@app.command()
@store_option
@click.option("--base-model", metavar="NAME", help="Causal LM: hub name, folder or .gguf file.")
@click.option("--max-steps", type=click.IntRange(min=1), metavar="N", help="Cap on updates.")
@json_option
def finetune(
    store: Path | None, base_model: str | None, max_steps: int | None, as_json: bool
) -> None:
    """Fine-tune a LoRA adapter on examples from the graph.

    The adapter is promoted only if it beats the current one (or the base model) on enough
    test examples without failing the grounding check more often.
    """
    from rich.table import Table

    with opened(store, create=False) as gg, progress_bars(interactive(as_json)) as bars:
        result = gg.finetune(base_model, max_steps, progress=bars)
    payload = result.to_dict()
    if as_json:
        print(json.dumps(payload, default=str))
        return
    table = Table(f"metric ({payload['test_examples']} test examples)", "base model", "adapter")
    for key in ("exact_match", "token_f1", "citation_accuracy", "verified", "score"):
        table.add_row(key, f"{payload['base'][key]:.3f}", f"{payload['adapter_metrics'][key]:.3f}")
    out.print(table)
    decision = "promoted" if result.decision.promoted else "not promoted"
    out.print(
        f"run {payload['run']}: {decision} ({result.decision.reason})",
        highlight=False,
        markup=False,
    )


@app.command()
@click.argument("question")
@store_option
@json_option
@generator_option
@click.option(
    "--mode",
    type=click.Choice(get_args(AnswerMode)),
    help="local: passages; global: community reports; auto: by the question "
    "(default: GROUNDGRAPH_ANSWER_MODE).",
)
@click.option("--stream", is_flag=True, help="Show a model's draft on stderr as it is written.")
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help="Exit 1 when the model gives no verified answer, instead of answering "
    "extractively (default: GROUNDGRAPH_ANSWER_STRICT).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Answer as of this day (ISO date, 2024-09-02): documents dated after it are left out.",
)
def ask(
    question: str,
    store: Path | None,
    as_json: bool,
    generator: GeneratorName | None,
    mode: AnswerMode | None,
    stream: bool,
    strict: bool | None,
    as_of: str | None,
) -> None:
    """Answer QUESTION from the store, with citations; where documents disagree, the
    newest one's statement, with the older ones quoted and dated."""
    if not question.strip():
        raise UsageError("the question is empty; ask something")

    def sink(piece: str) -> None:
        err.print(piece, end="", style="dim", highlight=False, markup=False)

    with opened(store, create=False) as gg:
        answer = gg.ask(
            question,
            mode=mode,
            generator=generator,
            stream=sink if stream else None,
            strict=strict,
            as_of=as_of,
        )
        requested = generator or gg.settings.generator
    if stream:
        err.print()
    if as_json:
        print(
            json.dumps({**answer.to_dict(), "requested_generator": requested}, ensure_ascii=False)
        )
        return
    out.print(answer.text, highlight=False, markup=False)
    for c in answer.citations:
        out.print(
            f"  [{c.marker}] {c.document} [{c.start}:{c.end}]"
            + (f" ({c.where})" if c.where else ""),
            style="dim",
            highlight=False,
            markup=False,
        )
    for note in answer.notes:
        err.print(f"note: {note}", style="yellow", highlight=False, markup=False)


@app.command()
@store_option
@json_option
def stats(store: Path | None, as_json: bool) -> None:
    """Counts of documents, chunks, entities, relations and vectors."""
    from rich.table import Table

    with opened(store, create=False) as gg:
        figures = gg.stats().to_dict()
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    table = Table("what", "count")
    for key, value in figures.items():
        if key != "entity_types":
            table.add_row(key, ", ".join(value) if isinstance(value, list) else str(value))
    for label, count in figures["entity_types"].items():
        table.add_row(f"  entities of type {label}", str(count))
    out.print(table)


@app.command()
@store_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild damaged or out-of-step vector indexes; write missing sentence layers.",
)
@json_option
def check(store: Path | None, repair: bool, as_json: bool) -> None:
    """Check the store: database integrity, graph references, vector indexes, sentence layer.

    Exits 1 when a problem remains (after --repair, the ones it could not repair).
    """
    with opened(store, create=False) as gg:
        report = gg.check(repair=repair)
    if as_json:
        print(json.dumps(vars(report) | {"ok": report.ok}))
    else:
        for kind in ("database", "references", "vectors", "sentence_layer"):
            for problem in getattr(report, kind):
                err.print(f"[red]{kind}:[/red] {escape(problem)}", highlight=False)
        for done in report.repaired:
            out.print(f"repaired: {done}", markup=False, highlight=False)
        out.print("the store is sound" if report.ok else "problems found", highlight=False)
    if not report.ok:
        raise click.exceptions.Exit(1)


@app.command()
@click.argument("document", metavar="URI_OR_PATH")
@store_option
def delete(document: str, store: Path | None) -> None:
    """Delete a document and everything only it supported."""
    with opened(store, create=False) as gg:
        deleted = gg.delete(document)
    if not deleted:
        fail(f"no document {document} in the store", 1)
    out.print(f"deleted {document}", highlight=False, markup=False)


@app.command()
@click.argument("question")
@click.option(
    "--rating", type=click.Choice(["good", "bad"]), required=True, help="What the answer was."
)
@click.option("--answer", "answer_text", default="", help="The answer that was shown.")
@click.option("--correction", help="The right answer, when the shown one was wrong.")
@store_option
@json_option
def feedback(
    question: str,
    rating: Rating,
    answer_text: str,
    correction: str | None,
    store: Path | None,
    as_json: bool,
) -> None:
    """Rate an answer to QUESTION; a correction trains the next monthly fine-tune."""
    with opened(store, create=False) as gg:
        record = gg.feedback(question, answer_text, rating, correction)
    if as_json:
        print(json.dumps(record.to_dict(), ensure_ascii=False))
        return
    kept = " with a correction" if record.correction else ""
    out.print(f"recorded {record.rating} feedback{kept} ({record.id})", highlight=False)


for command in (eval_command, entities, serve, mcp, ui):
    app.add_command(command)
