"""What the `groundgraph` commands share: the store and JSON options, opening the store, and
the one-line error exit."""

import importlib.metadata
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import click
from rich.markup import escape

from groundgraph.cli_output import err

if TYPE_CHECKING:
    from groundgraph.facade import GroundGraph

STORE_HELP = "Store directory (default: GROUNDGRAPH_STORE, else .groundgraph/store)."


def fail(message: str, status: int) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise click.exceptions.Exit(status)


def version() -> str:
    try:
        return importlib.metadata.version("groundgraph")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def store_option(f: Callable) -> Callable:
    return click.option(
        "--store", "-s", type=click.Path(path_type=Path), metavar="DIR", help=STORE_HELP
    )(f)


def generator_option(f: Callable) -> Callable:
    from groundgraph.settings import GeneratorName

    return click.option(
        "--generator",
        type=click.Choice(get_args(GeneratorName)),
        help="Who writes the answers (default: GROUNDGRAPH_GENERATOR, extractive).",
    )(f)


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


@contextmanager
def opened(store: Path | None, create: bool) -> Iterator["GroundGraph"]:
    """The store, opened; a verb that reads (`create` False) refuses one that was never
    made, and a verb that writes says when it makes one."""
    from groundgraph.facade import GroundGraph
    from groundgraph.graph.stores import store_exists
    from groundgraph.settings import Settings

    settings = Settings.load(**({"store": store} if store is not None else {}))
    made = not store_exists(settings.graph, Path(settings.store))
    gg = GroundGraph.open(settings, create=create)
    try:
        if create and made:
            err.print(f"created store {settings.store}", highlight=False, markup=False)
        yield gg
    finally:
        gg.close()


def interactive(as_json: bool) -> bool:
    return not as_json and sys.stderr.isatty()
