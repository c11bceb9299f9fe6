"""What every request passes before a route sees it: where it comes from, the bearer token and
the size limit.

A pure ASGI middleware, so streamed answers and the MCP endpoint pass through it unbuffered.
Tokens are compared with `hmac.compare_digest`, in constant time, and all of them every time:
how long a wrong token takes to refuse says nothing about how much of it was right, nor
which token it resembled. The token's scope (`serve.token` writes, `serve.read_tokens` only
read) is granted to the request, and every write checks it where the write starts.

A web page the user visits must not reach the server: a write whose `Origin` is another site
(and not one of `serve.cors_origins`) is refused, since a form or `fetch` POST needs no CORS
preflight, and so is a request whose `Host` is neither a loopback name nor one of
`serve.allowed_hosts` (DNS rebinding points a site's name at the server; the browser still
sends that name).
"""

import hmac
import ipaddress
import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from groundgraph.serve.errors import TooLargeError, error_body
from groundgraph.serve.scopes import Access, grant, revoke

# Reachable without the token: a load balancer's health probe must not need a secret.
OPEN_PATHS = frozenset({"/health"})
# Methods a browser sends cross-site that change nothing.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str) -> bool:
    """`localhost`, `127.0.0.1`, `::1` and the rest of the loopback network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Guard:
    """Refuses requests without a token (401) and bodies over `max_bytes` (413).

    Args:
        tokens: the bearer tokens a request may carry, each with its scope; empty lets every
            request in, with write scope (the server then only binds loopback addresses).
        max_bytes: the largest request body accepted.
        hosts: the names requests may address besides loopback ones (`serve.allowed_hosts`).
        origins: the web origins whose pages may write (`serve.cors_origins`).
    """

    def __init__(
        self,
        app: ASGIApp,
        tokens: dict[str, Access],
        max_bytes: int,
        hosts: frozenset[str] = frozenset(),
        origins: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.tokens = [(t.encode(), access) for t, access in tokens.items()]
        self.max_bytes = max_bytes
        self.hosts = hosts
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        origin = _text(headers.get(b"origin"))
        foreign = self._foreign(scope, headers, origin)
        if foreign is not None:
            await _refuse(send, 403, foreign, "CrossSiteRequest")
            return
        needs_token = bool(self.tokens) and scope["path"] not in OPEN_PATHS
        if scope["method"] == "OPTIONS" and origin in self.origins:
            needs_token = False  # a CORS preflight carries no credentials
        granted: Access | None = self._access(headers) if needs_token else "write"
        if granted is None:
            await _refuse(
                send,
                401,
                "missing or wrong bearer token: send 'Authorization: Bearer <token>' "
                "(the server's GROUNDGRAPH_SERVE_TOKEN)",
                "Unauthorized",
                {b"www-authenticate": b"Bearer"},
            )
            return
        declared = _content_length(headers)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send, 413, self._too_large(declared), "TooLargeError")
            return
        held = grant(granted)
        try:
            await self.app(scope, self._counting(receive, send), send)
        finally:
            revoke(held)

    def _foreign(self, scope: Scope, headers: dict[bytes, bytes], origin: str | None) -> str | None:
        """Why a request comes from somewhere this server must not answer, or None."""
        host = _text(headers.get(b"host")) or ""
        name = _hostname(host)
        if not (is_loopback(name) or name in self.hosts):
            return (
                f"the request is addressed to {host!r}, which is not a loopback name nor in "
                "serve.allowed_hosts: refused, as a DNS-rebinding page would be"
            )
        if scope["method"] in SAFE_METHODS or origin in self.origins:
            return None
        if headers.get(b"sec-fetch-site") == b"cross-site":
            method = scope["method"]
            return f"a {method} sent by another site's web page: cross-site writes are refused"
        if origin is not None and urlsplit(origin).netloc != host:
            return (
                f"a {scope['method']} from the web page at {origin!r} to {host!r}: cross-site "
                "writes are refused (list the page's origin in serve.cors_origins to allow it)"
            )
        return None

    def _access(self, headers: dict[bytes, bytes]) -> Access | None:
        """What the request's bearer token may do; None when it carries no known token."""
        header = headers.get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        given = given.strip()
        matches = [access for token, access in self.tokens if hmac.compare_digest(given, token)]
        if scheme.lower() != b"bearer" or not matches:
            return None
        return matches[0]

    def _too_large(self, size: int) -> str:
        return (
            f"the request body is {size} bytes; this server accepts at most {self.max_bytes} "
            "(serve.max_request_bytes)"
        )

    def _counting(self, receive: Receive, send: Send) -> Receive:
        """`receive` that stops a body without a declared length once it passes the limit."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise TooLargeError(self._too_large(seen))
            return message

        return counted


def _hostname(host: str) -> str:
    """The name in a `Host` header, without its port or an IPv6 address's brackets."""
    found = urlsplit(f"//{host}").hostname
    return found or ""


def _text(value: bytes | None) -> str | None:
    """A header's value as text (HTTP headers are Latin-1)."""
    return None if value is None else value.decode("latin-1")


def _content_length(headers: dict[bytes, bytes]) -> int | None:
    value = headers.get(b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _refuse(
    send: Send, status: int, message: str, kind: str, headers: dict[bytes, bytes] | None = None
) -> None:
    body = json.dumps(error_body(message, kind, status)).encode()
    extra = list((headers or {}).items())
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})
