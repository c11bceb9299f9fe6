"""groundgraph's errors as HTTP statuses, with the same messages the CLI prints.

Every error body has one shape, the one OpenAI's API uses, so chat clients show the message:
`{"error": {"message": ..., "type": ..., "code": STATUS}}`.
"""

import logging
import uuid
from collections.abc import Iterator, Sequence

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from groundgraph.graph.base import StoreError, StoreNotFoundError
from groundgraph.graph.errors import CancelledError, ConfigError, GroundGraphError, UsageError
from groundgraph.graph.lock import StoreLockedError
from groundgraph.ingest.base import SourceError
from groundgraph.retrieval.base import GenerationError, ModelError, ModelUnavailableError
from groundgraph.serve.state import OutsideSourceRootsError, ReadOnlyError

log = logging.getLogger("groundgraph.serve")


class NotFoundError(GroundGraphError):
    """A document, entity or model the request names does not exist."""


class TooLargeError(GroundGraphError):
    """A request, upload or question is larger than the server accepts."""


# Most specific first: the first class an error is an instance of decides its status.
_STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404),
    (StoreNotFoundError, 404),
    (TooLargeError, 413),
    (ReadOnlyError, 403),
    (OutsideSourceRootsError, 403),
    (StoreLockedError, 409),
    (CancelledError, 499),  # the client closed the request (nginx's code): no one reads it
    (UsageError, 400),
    (SourceError, 400),
    (ConfigError, 400),
    (ModelUnavailableError, 503),
    (ModelError, 503),
    (GenerationError, 422),
    (StoreError, 500),
    (GroundGraphError, 500),
)


def status_of(error: Exception) -> int:
    return next((status for kind, status in _STATUSES if isinstance(error, kind)), 500)


def error_body(message: str, kind: str, status: int) -> dict:
    return {"error": {"message": message, "type": kind, "code": status}}


def error_response(error: Exception) -> JSONResponse:
    status = status_of(error)
    return JSONResponse(error_body(str(error), type(error).__name__, status), status)


async def groundgraph_error(_: Request, error: Exception) -> JSONResponse:
    return error_response(error)


async def validation_error(_: Request, error: Exception) -> JSONResponse:
    """A body that does not fit the schema is bad input (400), named field by field."""
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    message = "; ".join(problems) or "the request body is not valid"
    return JSONResponse(error_body(message, "UsageError", 400), 400)


async def internal_error(_: Request, error: Exception) -> JSONResponse:
    """A bug is a JSON error with an id, never a traceback or a plain-text page: the
    details go to the server's log under that id."""
    incident = uuid.uuid4().hex[:12]
    log.error("internal error %s", incident, exc_info=error)
    message = f"internal error {incident}: the server's log has the details under this id"
    return JSONResponse(error_body(message, "InternalError", 500), 500)


async def http_error(_: Request, error: Exception) -> JSONResponse:
    """Framework errors (an unknown path, a wrong method) in the same shape as the rest."""
    assert isinstance(error, StarletteHTTPException)
    kinds = {404: "NotFoundError", 405: "MethodNotAllowed"}
    message = (
        f"{error.detail}: see /docs for the routes"
        if error.status_code in kinds
        else str(error.detail)
    )
    body = error_body(message, kinds.get(error.status_code, "HTTPError"), error.status_code)
    return JSONResponse(body, error.status_code, headers=error.headers)


def _flattened(routes: Sequence[BaseRoute]) -> Iterator[Route]:
    """Every route, inside included routers too (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, Route):
            yield route
        elif isinstance(route, Mount):
            continue  # mounted apps (static files, MCP) answer for themselves
        else:
            inner = getattr(route, "original_router", route)  # FastAPI's included router
            yield from _flattened(getattr(inner, "routes", ()))


def only_path(path: str, app: ASGIApp, routes: Sequence[BaseRoute]) -> ASGIApp:
    """`app` for requests to `path`; any other HTTP path is a 405 when one of `routes` serves
    it with another method, else a 404 (both answered by `http_error`)."""

    async def routed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") == path:
            await app(scope, receive, send)
            return
        allowed = sorted(
            method
            for route in _flattened(routes)
            if route.path_regex.match(scope["path"])
            for method in route.methods or ()
        )
        if not allowed:
            raise StarletteHTTPException(404, f"no route {scope['path']}")
        raise StarletteHTTPException(
            405,
            f"{scope['method']} is not allowed on {scope['path']}; use {', '.join(allowed)}",
            headers={"allow": ", ".join(allowed)},
        )

    return routed
