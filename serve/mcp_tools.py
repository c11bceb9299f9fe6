"""groundgraph as an MCP server (the official `mcp` SDK), for local agents.

The same `ServedStore` backs the stdio server (`groundgraph mcp`) and the streamable-HTTP one
under `groundgraph serve` (at `/mcp`). Tools return structured results: answers carry their
citations with document URIs and character spans. A read-only server has no `ingest` or
`feedback` tool at all, so an agent is never offered a tool that can only fail.
"""

import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from groundgraph.finetune.feedback import Rating
from groundgraph.graph.errors import GroundGraphError
from groundgraph.serve.errors import NotFoundError, status_of
from groundgraph.serve.payloads import checked_question, context_dict
from groundgraph.serve.state import ServedStore

T = TypeVar("T")
DOCUMENTS_LISTED = 1000
INSTRUCTIONS = (
    "groundgraph answers questions from an organisation's documents with citations. Use `ask` "
    "for an answer (each citation names the document URI and the character span it quotes), "
    "`retrieve` for the passages alone, `search_entities` and `entity_neighbours` to explore "
    "the knowledge graph."
)


def _reporting(tool: Callable[..., T]) -> Callable[..., T]:
    """The tool, with groundgraph's errors given to the client as REST gives them (the
    message, the type and the HTTP status): the SDK reports any other exception as a crash,
    "Error executing tool X", with no reason."""

    @functools.wraps(tool)
    def reported(*args: Any, **kwargs: Any) -> T:
        try:
            return tool(*args, **kwargs)
        except GroundGraphError as e:
            raise ToolError(f"{e} ({type(e).__name__}, HTTP {status_of(e)})") from e

    return reported


def mcp_server(served: ServedStore, version: str) -> MCPServer:
    """The MCP server over `served`: tools, and each document as a resource."""
    server = MCPServer("groundgraph", version=version, instructions=INSTRUCTIONS)
    _add_read_tools(server, served)
    if not served.read_only:
        _add_write_tools(server, served)
    _add_document_resources(server, served)
    return server


def _add_read_tools(server: MCPServer, served: ServedStore) -> None:
    serve = served.settings.serve

    @server.tool()
    @_reporting
    def ask(
        question: str, mode: Literal["local", "global", "auto"] | None = None
    ) -> dict[str, Any]:
        """Answer a question from the documents, with citations: each has the document URI,
        the character span (start, end) and the quoted text."""
        checked_question(question, None, serve)
        with served.reading() as gg:
            answer = gg.ask(question, mode)
            return {**answer.to_dict(), "store_version": gg.store.version()}

    @server.tool()
    @_reporting
    def retrieve(question: str, k: int | None = None) -> dict[str, Any]:
        """The passages (with document URIs and character spans), facts and entities that
        bear on a question, without writing an answer."""
        checked_question(question, k, serve)
        with served.reading() as gg:
            return context_dict(gg.retrieve(question, k))

    @server.tool()
    @_reporting
    def search_entities(query: str, limit: int = 10) -> dict[str, Any]:
        """Entities of the knowledge graph whose name or an alias is nearest the query."""
        with served.reading() as gg:
            matches = gg.search_entities(query, min(limit, serve.max_k))
        return {
            "entities": [
                {"id": m.entity.id, "name": m.entity.name, "type": m.entity.type, "score": m.score}
                for m in matches
            ]
        }

    @server.tool()
    @_reporting
    def entity_neighbours(entity_id: str) -> dict[str, Any]:
        """An entity (by id, from `search_entities`) with its related entities and the
        passages that are evidence for it."""
        with served.reading() as gg:
            view = gg.entity(entity_id)
        if view is None:
            raise NotFoundError(f"no entity with id {entity_id!r}")
        return view.to_dict()

    @server.tool()
    @_reporting
    def stats() -> dict[str, Any]:
        """How many documents, chunks, entities and relations the store holds."""
        with served.reading() as gg:
            return {**gg.stats().to_dict(), "store_version": gg.store.version()}


def _add_write_tools(server: MCPServer, served: ServedStore) -> None:
    @server.tool()
    @_reporting
    def ingest(paths: list[str]) -> dict[str, Any]:
        """Ingest files or folders on the server (under its source roots); the report lists
        each file that could not be used, with the reason."""
        allowed = [served.allowed_path(p) for p in paths]
        with served.writing() as gg:
            return gg.ingest(allowed).to_dict()

    @server.tool()
    @_reporting
    def feedback(
        question: str, answer: str, rating: Rating, correction: str | None = None
    ) -> dict[str, Any]:
        """Rate an answer `good` or `bad`; give `correction` (the right answer) when it was
        wrong: the next monthly fine-tune trains on it if the documents state it."""
        served.refuse_if_read_only()
        with served.reading() as gg:
            record = gg.parts.feedback.add(
                question, answer, [], rating, correction, gg.store.version()
            )
        return record.to_dict()


def _add_document_resources(server: MCPServer, served: ServedStore) -> None:
    @server.resource("groundgraph://documents", mime_type="application/json")
    def documents() -> dict[str, Any]:
        """The stored documents: id, URI and title (the first 1000)."""
        with served.reading() as gg:
            found = gg.store.documents()[:DOCUMENTS_LISTED]
        return {"documents": [{"id": d.id, "uri": d.uri, "title": d.title} for d in found]}

    @server.resource("groundgraph://documents/{doc_id}", mime_type="application/json")
    def document(doc_id: str) -> dict[str, Any]:
        """One document with its chunks and their character spans."""
        with served.reading() as gg:
            view = gg.document(doc_id)
        if view is None:
            raise NotFoundError(f"no document with id {doc_id!r}")
        return view.to_dict()
