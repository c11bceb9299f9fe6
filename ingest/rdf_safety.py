"""What an RDF file may make the parser do: nothing beyond reading the file itself.

Parsers do more than read: a JSON-LD `@context` (or `@import`) that is a URL or a path is
fetched from the network or the disk, and RDF/XML can declare entities that expand a 1 KB
file to gigabytes. So before parsing, a file is read (within `ingest.max_file_bytes`), any
entity or external DTD declaration in XML is refused, and every JSON-LD context that is not an
inline object is refused unless it is listed in `ingest.rdf_trusted_contexts`, in which case it
is fetched once per process, with a timeout, and put inline. The parser then sees only data.
"""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from groundgraph.ingest.base import SourceError
from groundgraph.ingest.reading import read_bytes
from groundgraph.ingest.settings import IngestSettings

_XML_DECLARATIONS = re.compile(rb"<!ENTITY|<!DOCTYPE[^>\[]*(SYSTEM|PUBLIC)", re.IGNORECASE)
_CONTEXT_KEYS = ("@context", "@import")


def safe_rdf_data(path: Path, parser: str, settings: IngestSettings) -> str | bytes:
    """The file's content, made safe to hand to rdflib's `parser`.

    Raises:
        SourceError: the file is too big, declares XML entities or an external DTD, or names
            a JSON-LD context that is not trusted (or could not be fetched).
    """
    data = read_bytes(path, settings)
    if parser == "xml":
        if _XML_DECLARATIONS.search(data):
            raise SourceError(
                str(path),
                "RDF/XML declares entities or an external DTD, which groundgraph does not "
                "expand (they can read local files or grow a small file to gigabytes)",
            )
        return data
    if parser == "json-ld":
        return _inline_contexts(path, data, settings)
    return data


def _inline_contexts(path: Path, data: bytes, settings: IngestSettings) -> str:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as e:
        raise SourceError(str(path), f"invalid JSON: {e.msg}", e.lineno) from e
    except RecursionError as e:
        raise SourceError(str(path), "JSON nested too deeply to read") from e
    trusted = frozenset(settings.rdf_trusted_contexts)
    return json.dumps(_resolve(document, path, trusted, settings.rdf_context_timeout))


def _resolve(node: Any, path: Path, trusted: frozenset[str], timeout: float) -> Any:
    """The JSON-LD tree with every context reference replaced by the context it names."""
    if isinstance(node, list):
        return [_resolve(item, path, trusted, timeout) for item in node]
    if not isinstance(node, dict):
        return node
    resolved = {}
    for key, value in node.items():
        if key in _CONTEXT_KEYS:
            resolved[key] = _context(value, path, trusted, timeout)
        else:
            resolved[key] = _resolve(value, path, trusted, timeout)
    return resolved


def _context(value: Any, path: Path, trusted: frozenset[str], timeout: float) -> Any:
    if isinstance(value, list):
        return [_context(item, path, trusted, timeout) for item in value]
    if isinstance(value, dict):
        return _resolve(value, path, trusted, timeout)
    if not isinstance(value, str):
        return value
    if value not in trusted:
        raise SourceError(
            str(path),
            f"JSON-LD context {value!r} is not fetched: groundgraph reads no URL or file a "
            "document names; put the context inline, or list it in ingest.rdf_trusted_contexts",
        )
    try:
        fetched = _fetch(value, timeout)
    except (httpx.HTTPError, ValueError) as e:
        raise SourceError(str(path), f"cannot fetch trusted JSON-LD context {value}: {e}") from e
    inner = fetched.get("@context", fetched) if isinstance(fetched, dict) else fetched
    return _resolve(inner, path, frozenset(), timeout)  # a fetched context fetches nothing more


@cache
def _fetch(url: str, timeout: float) -> Any:
    """A trusted context, fetched once per process (a refresh does not fetch it again)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("only http(s) contexts can be trusted")
    response = httpx.get(url, timeout=timeout, follow_redirects=False)
    response.raise_for_status()
    return response.json()
