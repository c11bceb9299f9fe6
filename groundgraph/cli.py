"""The `groundgraph` command line: ingest, refresh, import-rdf, export, ask, stats, delete,
finetune, ui.

Errors groundgraph raises on purpose print as one line and exit with status 1; `--json`
prints machine-readable output on stdout and nothing else.
"""

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_args

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from groundgraph.graph.errors import GroundGraphError
from groundgraph.retrieval.routing import Mode as AnswerMode
from groundgraph.settings import GeneratorName

if TYPE_CHECKING:
    from groundgraph.write_path import IngestReport

app = typer.Typer(
    help="A knowledge graph and vector index of your documents, with citations.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store", "-s", help="Store directory (default: GROUNDGRAPH_STORE or .groundgraph/store)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


# Typer offers choices from enums; these are made from the settings' literal types.
Generator = StrEnum("Generator", [(name, name) for name in get_args(GeneratorName)])
Mode = StrEnum("Mode", [(name, name) for name in get_args(AnswerMode)])


def _open(store: Path | None) -> Any:
    from groundgraph.facade import GroundGraph
    from groundgraph.settings import Settings

    overrides = {"store": store} if store is not None else {}
    return GroundGraph.open(Settings.load(**overrides))


@contextmanager
def _errors_exit() -> Iterator[None]:
    try:
        yield
    except GroundGraphError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(1) from None


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    if not enabled:
        yield lambda stage, done, total: None
        return
    columns = (
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bars:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield report


def _print_report(report: "IngestReport", as_json: bool) -> None:
    if as_json:
        payload = {
            **report.summary(),
            "errors": [{"path": f.path, "reason": f.reason} for f in report.failed],
            "seconds": {k: round(v, 3) for k, v in report.stage_seconds().items()},
        }
        print(json.dumps(payload, ensure_ascii=False))
        return
    counts = ", ".join(f"{n} {name}" for name, n in report.summary().items())
    out.print(f"documents: {counts}", highlight=False)
    for failure in report.failed:
        err.print(f"[red]failed:[/red] {failure.path}: {failure.reason}", highlight=False)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to ingest.")],
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest files and directory trees; exits 1 if any file failed (the rest is stored)."""
    with _errors_exit(), _open(store) as gg, _progress(not as_json and sys.stderr.isatty()) as p:
        report = gg.ingest(paths, progress=p)
    _print_report(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def refresh(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Re-read every ingested source: pick up changed files and drop deleted ones."""
    with _errors_exit(), _open(store) as gg, _progress(not as_json and sys.stderr.isatty()) as p:
        report = gg.refresh(progress=p)
    _print_report(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


@app.command("import-rdf")
def import_rdf(
    paths: Annotated[list[Path], typer.Argument(help="RDF files to import.")],
    store: StoreOption = None,
    rdf_format: Annotated[
        str | None,
        typer.Option("--format", help="turtle, nt, xml or jsonld (default: by extension)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import RDF files as entities and relations; exits 1 if any file failed (it changed
    nothing; the other files are stored)."""
    with _errors_exit(), _open(store) as gg, _progress(not as_json and sys.stderr.isatty()) as p:
        report = gg.import_rdf(paths, rdf_format, progress=p)
    _print_report(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    store: StoreOption = None,
    rdf_format: Annotated[str, typer.Option("--format", help="turtle, nt or jsonld.")] = "turtle",
    as_json: JsonOption = False,
) -> None:
    """Export the graph as RDF with provenance (documents, chunks, entities, relations)."""
    with _errors_exit(), _open(store) as gg:
        counts = gg.export_rdf(output, rdf_format)
    if as_json:
        print(json.dumps({"output": str(output), "format": rdf_format, **vars(counts)}))
        return
    out.print(
        f"wrote {counts.triples} triples ({counts.documents} documents, {counts.chunks} chunks, "
        f"{counts.entities} entities, {counts.relations} relations) to {output}",
        highlight=False,
    )


@app.command()
def finetune(
    store: StoreOption = None,
    base_model: Annotated[
        str | None, typer.Option(help="Hugging Face causal LM, by name or local path.")
    ] = None,
    max_steps: Annotated[int | None, typer.Option(help="Cap on optimizer steps.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Fine-tune a LoRA adapter on examples from the graph; promote it if it beats the
    current one."""
    with _errors_exit(), _open(store) as gg, _progress(not as_json and sys.stderr.isatty()) as p:
        result = gg.finetune(base_model, max_steps, progress=p)
    payload = result.to_dict()
    if as_json:
        print(json.dumps(payload, default=str))
        return
    table = Table(f"metric ({payload['test_examples']} test examples)", "base model", "adapter")
    for key in ("exact_match", "token_f1", "citation_accuracy", "verified", "score"):
        table.add_row(key, f"{payload['base'][key]:.3f}", f"{payload['adapter_metrics'][key]:.3f}")
    out.print(table)
    out.print(
        f"run {payload['run']}: {'promoted' if result.decision.promoted else 'not promoted'}"
        f" ({result.decision.reason})",
        highlight=False,
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    store: StoreOption = None,
    as_json: JsonOption = False,
    generator: Annotated[
        Generator | None,
        typer.Option(help="Who writes the answer (default: GROUNDGRAPH_GENERATOR)."),
    ] = None,
    mode: Annotated[
        Mode | None,
        typer.Option(
            help="local: passages; global: community reports; auto: by the question "
            "(default: GROUNDGRAPH_ANSWER_MODE)."
        ),
    ] = None,
    stream: Annotated[
        bool, typer.Option("--stream", help="Show a model's draft on stderr as it is written.")
    ] = False,
) -> None:
    """Answer a question from the store, with citations."""
    sink = (
        (lambda piece: err.print(piece, end="", style="dim", highlight=False)) if stream else None
    )
    with _errors_exit(), _open(store) as gg:
        answer = gg.ask(
            question,
            mode=mode.value if mode else None,
            generator=generator.value if generator else None,
            stream=sink,
        )
    if stream:
        err.print()
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    out.print(answer.text, highlight=False)
    for c in answer.citations:
        out.print(f"  [{c.marker}] {c.document} [{c.start}:{c.end}]", style="dim", highlight=False)
    for note in answer.notes:
        err.print(f"note: {note}", style="yellow", highlight=False)


@app.command()
def stats(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Counts of documents, chunks, entities, relations and vectors."""
    with _errors_exit(), _open(store) as gg:
        figures = gg.stats().to_dict()
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    table = Table("what", "count")
    for key, value in figures.items():
        if key != "entity_types":
            table.add_row(key, str(value))
    for label, count in figures["entity_types"].items():
        table.add_row(f"  entities of type {label}", str(count))
    out.print(table)


@app.command()
def delete(
    document: Annotated[str, typer.Argument(help="Document URI or file path.")],
    store: StoreOption = None,
) -> None:
    """Delete a document and everything only it supported."""
    with _errors_exit(), _open(store) as gg:
        deleted = gg.delete(document)
    if not deleted:
        err.print(f"[red]error:[/red] no document {document} in the store", highlight=False)
        raise typer.Exit(1)
    out.print(f"deleted {document}", highlight=False)


_DAGSTER_YAML = """\
# Written by `groundgraph ui`; the local instance keeps runs and events in SQLite here.
# See README.md, "Dagster", for PostgreSQL run storage and other executors.
telemetry:
  enabled: false
"""


@app.command()
def ui(
    store: StoreOption = None,
    source: Annotated[
        list[Path] | None,
        typer.Option("--source", help="File or folder the refresh reads (repeatable)."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    dagster_home: Annotated[
        Path | None, typer.Option(help="Dagster instance folder (default: STORE/dagster).")
    ] = None,
) -> None:
    """Start the Dagster UI and daemon (`dagster dev`) on groundgraph's pipelines."""
    from groundgraph.settings import Settings

    with _errors_exit():
        settings = Settings.load(**({"store": store} if store is not None else {}))
        dagster = Path(sys.executable).with_name("dagster")
        if not dagster.exists():
            raise GroundGraphError(
                "dagster is not installed; install groundgraph[pipelines] (scripts/install.sh does)"
            )
    home = (dagster_home or Path(settings.store) / "dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text(_DAGSTER_YAML)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "GROUNDGRAPH_STORE": str(Path(settings.store).resolve()),
    }
    if source:
        env["GROUNDGRAPH_PIPELINE_SOURCES"] = json.dumps([str(p.resolve()) for p in source])
    err.print(f"Dagster UI on http://{host}:{port} (instance {home})", highlight=False)
    args = [str(dagster), "dev", "-m", "groundgraph.pipelines", "-h", host, "-p", str(port)]
    os.execve(args[0], args, env)
