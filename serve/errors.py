"""groundgraph's errors as HTTP statuses, with the same messages the CLI prints.

Every error body has one shape, the one OpenAI's API uses, so chat clients show the message:
`{"error": {"message": ..., "type": ..., "code": STATUS}}`.
"""

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from groundgraph.graph.base import StoreError, StoreNotFoundError
from groundgraph.graph.errors import ConfigError, GroundGraphError, UsageError
from groundgraph.graph.lock import StoreLockedError
from groundgraph.ingest.base import SourceError
from groundgraph.retrieval.base import GenerationError, ModelError, ModelUnavailableError
from groundgraph.serve.state import OutsideSourceRootsError, ReadOnlyError


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
    """A bug is still a JSON error a client can show, never a plain-text page."""
    message = f"internal error: {type(error).__name__}: {error}"
    return JSONResponse(error_body(message, "InternalError", 500), 500)
