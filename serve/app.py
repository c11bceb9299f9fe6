"""The server's composition root: the FastAPI app, its guard, and how it is run.

`groundgraph serve` binds loopback unless given a token: a store of an organisation's
documents must not be readable by anyone who can reach the port.
"""

import contextlib
import os
import sys
import threading
from collections.abc import AsyncIterator

import anyio
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException

from groundgraph.graph.errors import ConfigError, GroundGraphError
from groundgraph.serve.docs_page import add_offline_docs
from groundgraph.serve.errors import (
    groundgraph_error,
    http_error,
    internal_error,
    only_path,
    validation_error,
)
from groundgraph.serve.guard import Guard, is_loopback
from groundgraph.serve.mcp_tools import mcp_server
from groundgraph.serve.routes_api import api_router
from groundgraph.serve.routes_openai import openai_router
from groundgraph.serve.state import ServedStore
from groundgraph.settings import Settings

MCP_PATH = "/mcp"
SHUTDOWN_SECONDS = 5  # a stopping server waits this long for requests in flight
WORKER_THREADS = 64  # requests computed at once (FastAPI runs plain routes on these threads)


def create_app(served: ServedStore, version: str) -> Guard:
    """The ASGI app: REST and OpenAI-compatible routes, the MCP endpoint at `/mcp`, behind
    the token and size guard."""
    serve = served.settings.serve
    mcp = mcp_server(served, version)
    mcp_app = mcp.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, host=serve.host
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        if not served.ready.is_set():
            threading.Thread(target=served.preload, name="preload", daemon=True).start()
        async with mcp.session_manager.run():
            yield
        served.close()

    api = FastAPI(
        title="groundgraph",
        version=version,
        description="Answers grounded in your documents, with citations.",
        lifespan=lifespan,
        docs_url=None,
    )
    add_offline_docs(api)
    api.add_exception_handler(GroundGraphError, groundgraph_error)
    api.add_exception_handler(RequestValidationError, validation_error)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.add_exception_handler(Exception, internal_error)
    api.include_router(api_router(served, version))
    api.include_router(openai_router(served))
    # Last: everything the API does not route goes to the MCP app, which answers `/mcp` and
    # gives every other path a JSON 404.
    api.mount("/", only_path(MCP_PATH, mcp_app, list(api.router.routes)))
    if serve.cors_origins:
        api.add_middleware(
            CORSMiddleware,
            allow_origins=serve.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    hosts, origins = frozenset(serve.allowed_hosts), frozenset(serve.cors_origins)
    return Guard(api, serve.bearer_tokens(), serve.max_request_bytes, hosts, origins)


def check_binding(settings: Settings) -> None:
    """Refuse to bind a non-loopback address without a token, or without the host names
    clients will use.

    Raises:
        ConfigError: `serve.host` is not loopback and `serve.token` or `serve.allowed_hosts`
            is unset.
    """
    serve = settings.serve
    if is_loopback(serve.host):
        return
    if not serve.bearer_tokens():
        raise ConfigError(
            f"refusing to serve on {serve.host} without a token: anyone who reaches the port "
            "could read the store; set GROUNDGRAPH_SERVE_TOKEN (clients send it as "
            "'Authorization: Bearer <token>') or bind 127.0.0.1"
        )
    if not serve.allowed_hosts:
        raise ConfigError(
            f"refusing to serve on {serve.host} without GROUNDGRAPH_SERVE_ALLOWED_HOSTS: list "
            "the host names clients address the server by (e.g. '[\"kb.example.org\"]'); "
            "requests naming any other host are refused"
        )


def run_server(settings: Settings, version: str, read_only: bool = False) -> None:
    """Serve until interrupted (uvicorn on `serve.host`:`serve.port`).

    SIGTERM or Ctrl-C stops it within `SHUTDOWN_SECONDS`: requests still running then (an
    ingest can run for minutes on a worker thread, which would keep the interpreter alive
    until it ends) are abandoned and the process exits. Every write is a transaction per
    batch and the writer lock is the system's, so the store is left as its last committed
    batch, and the next `groundgraph refresh` picks up the rest.
    """
    import uvicorn

    check_binding(settings)
    served = ServedStore(settings, read_only)
    app = create_app(served, version)
    serve = settings.serve
    config = uvicorn.Config(
        app,
        host=serve.host,
        port=serve.port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    uvicorn.Server(config).run()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def run_mcp_stdio(settings: Settings, version: str, read_only: bool = False) -> None:
    """The MCP server over stdin/stdout, until the client closes it."""
    served = ServedStore(settings, read_only)
    try:
        anyio.run(mcp_server(served, version).run_stdio_async)
    finally:
        served.close()
