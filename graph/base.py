"""The `GraphStore` contract that every graph backend implements, and the graph errors.

A store is written one document at a time: `upsert` replaces everything a document
contributed (chunks, mentions, relation evidence) in one transaction per batch, and the store
derives entity and relation properties (name, type, aliases, counts, weights, first/last
seen) from what remains. Deleting is therefore the same cascade as replacing with nothing.
"""

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from groundgraph.graph.errors import GroundGraphError
from groundgraph.graph.model import (
    Adjacency,
    Chunk,
    ChunkParse,
    Community,
    CommunitySet,
    Document,
    DocumentGraph,
    Entity,
    GraphStats,
    Mention,
    Relation,
)


class StoreError(GroundGraphError):
    """The graph store could not be opened, read or written."""


class StoreNotFoundError(StoreError):
    """A verb that reads was pointed at a store that does not exist (a typo'd `--store`)."""


@runtime_checkable
class GraphWriter(Protocol):
    """Writes whole documents; each call is one transaction per batch."""

    def upsert(self, graphs: Sequence[DocumentGraph]) -> None:
        """Store the documents, replacing whatever each contributed before."""

    def put_parses(self, parses: Sequence[ChunkParse]) -> int:
        """Store the sentence layer of stored chunks (an upgrade or repair; a chunk that is
        gone is skipped); returns how many were stored."""

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        """Remove documents and what only they supported; returns how many existed."""

    def replace_communities(self, communities: Sequence[Community], graph_version: int) -> None:
        """Replace every community in one transaction. Communities are derived data, so this
        does not change `version()`: `graph_version` records which graph they describe."""

    def close(self) -> None:
        """Release connections."""


@runtime_checkable
class GraphReader(Protocol):
    """The reads retrieval, refresh and the CLI need."""

    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        """Documents by id, or all of them."""

    def chunks(self, ids: Iterable[str] | None = None, doc_id: str | None = None) -> list[Chunk]:
        """Chunks by id, of one document (in order), or all of them."""

    def chunk_ids(self) -> set[str]:
        """The id of every chunk, without their texts: what the vector sync diffs."""

    def parses(self, chunk_ids: Iterable[str]) -> dict[str, ChunkParse]:
        """The sentence layer of the given chunks, by chunk id (those that have one)."""

    def chunks_without_parse(self, model: str) -> list[str]:
        """Chunks whose sentence layer is missing or records another `model` (another
        pipeline or layer format)."""

    def entities(self, ids: Iterable[str] | None = None) -> list[Entity]:
        """Entities by id, or all of them."""

    def mentions(
        self, chunk_ids: Iterable[str] | None = None, entity_ids: Iterable[str] | None = None
    ) -> list[Mention]:
        """Mentions in the given chunks or of the given entities (the union)."""

    def relations(self, entity_ids: Iterable[str] | None = None) -> list[Relation]:
        """Relations touching any of the entities (or all), with their evidence chunk ids."""

    def stats(self) -> GraphStats:
        """Counts of documents, chunks, entities, relations and mentions."""

    def adjacency(self) -> Adjacency:
        """Every chunk–entity mention and entity–entity relation, as edge lists."""

    def version(self) -> int:
        """A number that changes with every committed write, so caches know when to rebuild."""

    def communities(self) -> CommunitySet:
        """The stored communities and the graph version they were computed from."""

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside see one committed version of the store (where the backend can)."""

    def check(self) -> list[str]:
        """A full integrity check of the stored data: the problems found (none when sound)."""


@runtime_checkable
class GraphStore(GraphReader, GraphWriter, Protocol):
    """A complete graph backend: the embedded SQLite store, or Neo4j."""
