"""Reading the Neo4j store: the connection (its schema made on connect, its errors as one
line each) and every read of the `GraphReader` contract; `store_neo4j.py` adds the writes,
as `sqlite_reads.py` and `store_sqlite.py` divide the embedded store."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from groundgraph.graph import cypher
from groundgraph.graph.base import StoreError
from groundgraph.graph.model import (
    Adjacency,
    Chunk,
    ChunkParse,
    CommunitySet,
    Document,
    Entity,
    GraphStats,
    Mention,
    Relation,
)
from groundgraph.graph.neo4j_rows import community_of
from groundgraph.graph.settings import Neo4jSettings


class Neo4jReader:
    """The reads of a Neo4j 5 server's graph (`Neo4jGraphStore` writes it).

    Constraints and indexes (including full-text indexes over chunk text and entity names) are
    created on connect, so an empty database is ready to use.
    """

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        # Only warnings a user can act on: on a new database every read warns that a property
        # or relationship type "does not exist" yet (UNRECOGNIZED), and hints and performance
        # notes follow; they printed a dozen multi-line logs on every first ingest.
        self._driver = GraphDatabase.driver(
            settings.uri,
            auth=(settings.user, settings.password.get_secret_value()),
            connection_timeout=settings.connection_timeout,
            notifications_min_severity=neo4j.NotificationMinimumSeverity.WARNING,
            notifications_disabled_classifications=[
                neo4j.NotificationDisabledClassification.HINT,
                neo4j.NotificationDisabledClassification.UNRECOGNIZED,
                neo4j.NotificationDisabledClassification.PERFORMANCE,
            ],
        )
        with self._errors("connect to"):
            self._driver.verify_connectivity()
            for statement in cypher.SCHEMA:
                self._driver.execute_query(statement, database_=settings.database)

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        where = f"Neo4j at {self.settings.uri}"
        try:
            yield
        except AuthError as e:
            self._driver.close()
            raise StoreError(
                f"{where} refused user '{self.settings.user}': wrong user or password "
                "(GROUNDGRAPH_NEO4J_USER, GROUNDGRAPH_NEO4J_PASSWORD)"
            ) from e
        except (ServiceUnavailable, SessionExpired, OSError) as e:
            raise StoreError(
                f"cannot {doing} {where}: the server is not reachable ({_one_line(e)}); start it "
                "(scripts/neo4j.sh start) or set GROUNDGRAPH_NEO4J_URI"
            ) from e
        except Neo4jError as e:
            raise StoreError(f"{where} failed to {doing} the graph: {_one_line(e)}") from e

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        with self._errors("read from"):
            records, _, _ = self._driver.execute_query(
                query, params, database_=self.settings.database, routing_=neo4j.RoutingControl.READ
            )
        return [record.data() for record in records]

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Neo4j reads are each their own transaction: a read sees the latest committed
        write (the embedded store holds one snapshot per request instead)."""
        yield

    def check(self) -> list[str]:
        """The server keeps its own store consistent; here: that it answers."""
        with self._errors("check"):
            self._driver.verify_connectivity()
        return []

    def close(self) -> None:
        self._driver.close()

    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        rows = (
            self._read(cypher.ALL_DOCUMENTS)
            if ids is None
            else self._read(cypher.DOCUMENTS_BY_ID, ids=list(dict.fromkeys(ids)))
        )
        return [Document(**row) for row in rows]

    def chunk_ids(self) -> set[str]:
        return {row["id"] for row in self._read(cypher.ALL_CHUNK_IDS)}

    def chunks(self, ids: Iterable[str] | None = None, doc_id: str | None = None) -> list[Chunk]:
        if doc_id is not None:
            rows = self._read(cypher.CHUNKS_OF_DOCUMENT, doc_id=doc_id)
        elif ids is None:
            rows = self._read(cypher.ALL_CHUNKS)
        else:
            rows = self._read(cypher.CHUNKS_BY_ID, ids=list(dict.fromkeys(ids)))
        return [Chunk(**row) for row in rows]

    def parses(self, chunk_ids: Iterable[str]) -> dict[str, ChunkParse]:
        rows = self._read(cypher.PARSES_BY_ID, ids=list(dict.fromkeys(chunk_ids)))
        return {
            r["chunk_id"]: ChunkParse(r["chunk_id"], r["model"], bytes(r["data"])) for r in rows
        }

    def chunks_without_parse(self, model: str) -> list[str]:
        return [row["id"] for row in self._read(cypher.CHUNKS_WITHOUT_PARSE, model=model)]

    def entities(self, ids: Iterable[str] | None = None) -> list[Entity]:
        rows = (
            self._read(cypher.ALL_ENTITIES)
            if ids is None
            else self._read(cypher.ENTITIES_BY_ID, ids=list(dict.fromkeys(ids)))
        )
        return [Entity(**{**row, "aliases": tuple(row["aliases"])}) for row in rows]

    def mentions(
        self, chunk_ids: Iterable[str] | None = None, entity_ids: Iterable[str] | None = None
    ) -> list[Mention]:
        if chunk_ids is None and entity_ids is None:
            rows = self._read(cypher.ALL_MENTIONS)
        else:
            rows = self._read(cypher.MENTIONS_OF_CHUNKS, ids=list(dict.fromkeys(chunk_ids or ())))
            rows += self._read(
                cypher.MENTIONS_OF_ENTITIES, ids=list(dict.fromkeys(entity_ids or ()))
            )
        found = {Mention(**row) for row in rows}
        return sorted(found, key=lambda m: (m.chunk_id, m.entity_id, m.surface))

    def relations(self, entity_ids: Iterable[str] | None = None) -> list[Relation]:
        rows = (
            self._read(cypher.ALL_RELATIONS)
            if entity_ids is None
            else self._read(cypher.RELATIONS_OF_ENTITIES, ids=list(dict.fromkeys(entity_ids)))
        )
        unique = {row["id"]: row for row in rows}
        relations = []
        for _, row in sorted(unique.items()):
            pairs = sorted(zip(row["evidence"], row["evidence_weights"], strict=True))
            chunks, weights = zip(*pairs, strict=True) if pairs else ((), ())
            relations.append(Relation(**{**row, "evidence": chunks, "evidence_weights": weights}))
        return relations

    def stats(self) -> GraphStats:
        counts = self._read(cypher.COUNTS)[0]
        types = {row["type"]: row["n"] for row in self._read(cypher.ENTITY_TYPES)}
        return GraphStats(**counts, entity_types=types)

    def adjacency(self) -> Adjacency:
        mentions = self._read(cypher.MENTION_ADJACENCY)
        relations = self._read(cypher.RELATION_ADJACENCY)
        return Adjacency(
            tuple((r["chunk_id"], r["entity_id"], r["count"]) for r in mentions),
            tuple((r["source_id"], r["target_id"], r["weight"]) for r in relations),
        )

    def version(self) -> int:
        return int(self._read(cypher.VERSION)[0]["v"])

    def communities(self) -> CommunitySet:
        version = self._read(cypher.COMMUNITIES_VERSION)[0]["v"]
        found = tuple(community_of(row) for row in self._read(cypher.COMMUNITIES))
        return CommunitySet(None if version is None else int(version), found)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
