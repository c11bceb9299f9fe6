"""What the token of the request being served allows: reading, or reading and writing.

The guard sets it for each request; `ServedStore.writing` refuses a write under a read
token. A context variable reaches the places a write starts (a REST route on a worker
thread, an MCP tool in the MCP session's task) without threading a request through them.
"""

from contextvars import ContextVar, Token
from typing import Literal

Access = Literal["read", "write"]

# Unset, a request may write: a server without tokens binds loopback only, and stdio MCP has
# no HTTP request at all.
_granted: ContextVar[Access] = ContextVar("granted", default="write")


def grant(scope: Access) -> Token[Access]:
    return _granted.set(scope)


def revoke(token: Token[Access]) -> None:
    _granted.reset(token)


def may_write() -> bool:
    return _granted.get() == "write"
