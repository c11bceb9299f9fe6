"""The `groundgraph` commands that start long-running servers: the HTTP API (`serve`), MCP
over stdio (`mcp`) and the Dagster UI (`ui`)."""

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from groundgraph.cli_options import store_option, version
from groundgraph.cli_output import err
from groundgraph.graph.errors import GroundGraphError, UsageError

if TYPE_CHECKING:
    from groundgraph.settings import Settings


@click.command()
@store_option
@click.option("--host", metavar="ADDRESS", help="Address to bind (default: serve.host, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default: serve.port, 8080).")
@click.option("--read-only", is_flag=True, help="Refuse every write (ingest, refresh, delete).")
def serve(store: Path | None, host: str | None, port: int | None, read_only: bool) -> None:
    """Serve the store over HTTP: REST API, OpenAI-compatible chat, MCP at /mcp.

    Binding an address other than loopback needs GROUNDGRAPH_SERVE_TOKEN.
    """
    from groundgraph.serve.app import run_server

    settings = _server_settings(store, host, port)
    err.print(
        f"serving {settings.store} on http://{settings.serve.host}:{settings.serve.port} "
        "(API docs at /docs, MCP at /mcp)",
        highlight=False,
        markup=False,
    )
    run_server(settings, version(), read_only)


@click.command()
@store_option
@click.option("--read-only", is_flag=True, help="Offer no ingest or feedback tool.")
def mcp(store: Path | None, read_only: bool) -> None:
    """Serve the store to an MCP client over stdin/stdout."""
    from groundgraph.serve.app import run_mcp_stdio

    run_mcp_stdio(_server_settings(store, None, None), version(), read_only)


def _server_settings(store: Path | None, host: str | None, port: int | None) -> "Settings":
    """The settings a server runs on; the store must exist (a typo would serve nothing)."""
    from groundgraph.assembly import build_components
    from groundgraph.settings import Settings

    settings = Settings.load(**({"store": store} if store is not None else {}))
    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings.model_copy(update={"serve": settings.serve.model_copy(update=updates)})
    build_components(settings).require_existing()
    return settings


_DAGSTER_YAML = """\
# Written by `groundgraph ui`; the local instance keeps runs and events in SQLite here.
# See README.md, "Dagster", for PostgreSQL run storage and other executors.
telemetry:
  enabled: false
"""


@click.command()
@store_option
@click.option(
    "--source",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="File or folder the refresh reads (repeatable).",
)
@click.option("--port", type=int, default=3000, show_default=True, help="Port of the Dagster UI.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--dagster-home",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Dagster instance folder (default: STORE/dagster).",
)
@click.option(
    "--insecure-public",
    is_flag=True,
    help="Allow a non-loopback --host: the Dagster UI has no authentication, so only behind "
    "a proxy that authenticates.",
)
def ui(
    store: Path | None,
    source: tuple[Path, ...],
    port: int,
    host: str,
    dagster_home: Path | None,
    insecure_public: bool,
) -> None:
    """Start the Dagster UI and daemon (`dagster dev`) on groundgraph's pipelines."""
    from groundgraph.serve.guard import is_loopback
    from groundgraph.settings import Settings

    if not is_loopback(host) and not insecure_public:
        raise UsageError(
            f"refusing to serve the Dagster UI on {host}: it has no authentication and can "
            "launch runs that write the store; bind 127.0.0.1 (reach it through an SSH tunnel "
            "or an authenticating proxy) or pass --insecure-public"
        )
    if not is_loopback(host):
        err.print(
            f"warning: the Dagster UI on {host} has no authentication: anyone who reaches the "
            "port can launch runs that write the store",
            style="yellow",
            highlight=False,
            markup=False,
        )

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
    err.print(
        f"Dagster UI on http://{host}:{port} (instance {home})", highlight=False, markup=False
    )
    args = [str(dagster), "dev", "-m", "groundgraph.pipelines", "-h", host, "-p", str(port)]
    os.execve(args[0], args, env)
