"""A real uvicorn server running `groundgraph serve`'s app on a loopback port, in a thread."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from groundgraph import Settings
from groundgraph.serve.app import create_app
from groundgraph.serve.settings import ServeSettings
from groundgraph.serve.state import ServedStore


@dataclass
class Server:
    url: str
    store: Path
    sources: Path | None
    served: ServedStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(
    store: Path,
    sources: Path | None = None,
    read_only: bool = False,
    settings: dict | None = None,
    **serve: object,
) -> Iterator[Server]:
    """The server on `store` (reading paths under `sources`) until the block ends, with the
    `settings` overrides besides `serve`'s."""
    port = free_port()
    options = {"port": port, "source_roots": [sources] if sources else [], **serve}
    loaded = Settings.load(store=store, serve=ServeSettings(**options), **(settings or {}))
    served = ServedStore(loaded, read_only)
    config = uvicorn.Config(
        create_app(served, "test"), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not (server.started and served.ready.is_set()):
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", store, sources, served)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
