"""The Neo4j 5 graph store: the production backend, over Bolt with the official driver.

Each batch of documents is one managed write transaction (the driver retries it on transient
errors such as deadlocks or a leader switch); rows go in `UNWIND $rows` statements of
`Neo4jSettings.batch_size`. Entity and relation properties are what the mentions and evidence
that remain after a write derive (`derive.py`), kept by running tallies that each write
adjusts by its own delta (`neo4j_aggregates.py`); the entities a write reads come from
what this process last wrote while no other writer came between (`KnownEntities`).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from groundgraph.graph import cypher
from groundgraph.graph.base import StoreError
from groundgraph.graph.derive import MentionRow, merge_evidence, merge_mentions
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
from groundgraph.graph.neo4j_aggregates import (
    Delta,
    EntityWrite,
    KnownEntities,
    RunRows,
    apply_entities,
    apply_relations,
    delete_orphans,
    evidence_rows,
    mention_row,
    rederive_batch,
)
from groundgraph.graph.neo4j_rows import (
    chunk_rows,
    community_of,
    community_row,
    document_rows,
    merged_name_rows,
    parse_rows,
)
from groundgraph.graph.settings import Neo4jSettings

T = TypeVar("T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Neo4jGraphStore:
    """A `GraphStore` on a Neo4j 5 server.

    Constraints and indexes (including full-text indexes over chunk text and entity names) are
    created on connect, so an empty database is ready to use.

    Example:
        store = Neo4jGraphStore(Neo4jSettings(uri="bolt://127.0.0.1:7687", password="..."))
        store.upsert([document_graph])
    """

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self._known = KnownEntities()
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

    def _write(self, work: Callable[[ManagedTransaction, int], T], bump_version: bool = True) -> T:
        """Run `work(tx, version)` in one write transaction that first moves the version
        counter to `version` (or leaves it, and passes 0, for a write that changes no graph
        data)."""

        def versioned(tx: ManagedTransaction) -> T:
            version = tx.run(cypher.BUMP_VERSION).single(strict=True)["v"] if bump_version else 0
            return work(tx, version)

        with self._errors("write to"), self._driver.session(database=self.settings.database) as s:
            return s.execute_write(versioned)

    def _run_rows(
        self, tx: ManagedTransaction, query: str, name: str, rows: list
    ) -> list[dict[str, Any]]:
        """Run `query` over `rows` in statements of `batch_size`; what they return."""
        size, returned = self.settings.batch_size, []
        for start in range(0, len(rows), size):
            returned += tx.run(query, {name: rows[start : start + size]}).data()
        return returned

    # -- writes ---------------------------------------------------------------------------

    def upsert(self, graphs: Sequence[DocumentGraph]) -> None:
        if graphs:
            version, done = self._write(lambda tx, v: (v, self._upsert(tx, v, graphs, _now())))
            self._known.record(version, done.written, done.orphans)

    def _upsert(
        self, tx: ManagedTransaction, version: int, graphs: Sequence[DocumentGraph], now: str
    ) -> EntityWrite:
        documents = document_rows(graphs, now)
        # Detached first: the removed mentions count under the times they were added with.
        delta = self._detach(tx, [g.document.id for g in graphs])
        times = {
            row["id"]: (row["ingested_at"], row["updated_at"])
            for row in self._run_rows(tx, cypher.MERGE_DOCUMENTS, "rows", documents)
        }
        chunks = [c for g in graphs for c in g.chunks]
        self._run_rows(tx, cypher.CREATE_CHUNKS, "rows", chunk_rows(graphs))
        chunk_times = {c.id: times[c.doc_id] for c in chunks}
        mentions = merge_mentions(m for g in graphs for m in g.mentions)
        for m in mentions:
            delta.added_mentions[m.entity_id].append(
                MentionRow(m.surface, m.name, m.type, m.count, *chunk_times[m.chunk_id])
            )
        entities = apply_entities(
            tx, delta, self._run_rows, mentions, self._known.valid_after(version)
        )
        self._run_rows(tx, cypher.WRITE_MERGED_NAMES, "rows", merged_name_rows(graphs))
        evidence = evidence_rows(merge_evidence(e for g in graphs for e in g.evidence), chunk_times)
        self._run_rows(tx, cypher.UPSERT_RELATIONS, "rows", evidence)
        for row in evidence:
            if row["relation_id"] in delta.removed_evidence:
                delta.added_evidence[row["relation_id"]].append(
                    (row["first_seen"], row["last_seen"])
                )
        apply_relations(tx, delta, self._run_rows)
        delete_orphans(tx, entities.orphans, self._run_rows)
        return entities

    def apply_changes(
        self,
        graphs: Sequence[DocumentGraph],
        deleted: Sequence[str],
        parses: Sequence[ChunkParse],
        communities: Sequence[Community] | None,
    ) -> int:
        """Write and delete documents, store sentence layers and (unless None) replace the
        communities, all in one transaction, so that a reader sees the graph before or after
        and never between: how a staged refresh is published (`staged_neo4j.py`). The
        communities are recorded as describing the new version, which is returned."""
        now = _now()

        def work(tx: ManagedTransaction, version: int) -> EntityWrite | None:
            done = self._upsert(tx, version, graphs, now) if graphs else None
            if deleted:
                self._delete(tx, list(deleted))
            self._run_rows(tx, cypher.PUT_PARSES, "rows", parse_rows(parses))
            if communities is not None:
                self._replace_communities(tx, communities, version)
            return done

        version, done = self._write(lambda tx, v: (v, work(tx, v)))
        if done is not None and not deleted:  # a delete's orphans are not in `done`
            self._known.record(version, done.written, done.orphans)
        return version

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(doc_ids))
        return self._write(lambda tx, _: self._delete(tx, ids)) if ids else 0

    def _delete(self, tx: ManagedTransaction, doc_ids: list[str]) -> int:
        delta = self._detach(tx, doc_ids)
        deleted = tx.run(cypher.DELETE_DOCUMENTS, {"doc_ids": doc_ids}).single()
        apply_relations(tx, delta, self._run_rows)
        delete_orphans(tx, apply_entities(tx, delta, self._run_rows).orphans, self._run_rows)
        return int(deleted["deleted"]) if deleted else 0

    def _detach(self, tx: ManagedTransaction, doc_ids: list[str]) -> Delta:
        """Remove the documents' chunks, their mentions, evidence and merged names; return
        what went."""
        tx.run(cypher.DETACH_MERGED_NAMES, {"doc_ids": doc_ids})
        delta = Delta()
        times = {
            row["id"]: (row["ingested_at"], row["updated_at"])
            for row in tx.run(cypher.DOCUMENT_TIMES, {"doc_ids": doc_ids})
        }
        stored = sorted(times)  # new documents have nothing to detach
        if not stored:
            return delta
        footprint = tx.run(cypher.DOCUMENT_FOOTPRINT, {"doc_ids": stored}).single()
        if footprint is None or not footprint["chunks"]:
            return delta
        chunk_docs = dict(footprint["chunks"])
        for record in tx.run(cypher.DETACHED_MENTIONS, {"doc_ids": stored}):
            delta.removed_mentions[record["eid"]].append(mention_row(record))
        if footprint["relations"]:
            dropped = tx.run(
                cypher.DROP_EVIDENCE,
                {"relation_ids": footprint["relations"], "chunk_ids": list(chunk_docs)},
            )
            for row in dropped:
                delta.removed_evidence[row["rid"]] = [
                    times[chunk_docs[cid]] for cid in row["dropped"]
                ]
        self._run_rows(tx, cypher.DELETE_CHUNKS, "chunk_ids", list(chunk_docs))
        return delta

    def rederive(self) -> None:
        """Re-derive every entity and relation from the mentions and evidence that support
        it: a repair for tallies that drifted (none should), in batches of `batch_size`."""
        entity_ids = sorted(row["id"] for row in self._read(cypher.ALL_ENTITY_IDS))
        relation_ids = sorted(row["id"] for row in self._read(cypher.ALL_RELATION_IDS))
        size = self.settings.batch_size
        for start in range(0, max(len(entity_ids), len(relation_ids)), size):
            entities = entity_ids[start : start + size]
            relations = relation_ids[start : start + size]
            self._write(partial(_rederive_work, entities, relations, self._run_rows))

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

    # -- reads ----------------------------------------------------------------------------

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

    def put_parses(self, parses: Sequence[ChunkParse]) -> int:
        rows = parse_rows(parses)
        if not rows:
            return 0

        def work(tx: ManagedTransaction, _: int) -> int:
            return sum(r["stored"] for r in self._run_rows(tx, cypher.PUT_PARSES, "rows", rows))

        return self._write(work, bump_version=False)

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

    def replace_communities(self, communities: Sequence[Community], graph_version: int) -> None:
        self._write(
            lambda tx, _: self._replace_communities(tx, communities, graph_version),
            bump_version=False,
        )

    def _replace_communities(
        self, tx: ManagedTransaction, communities: Sequence[Community], graph_version: int
    ) -> None:
        tx.run(cypher.DELETE_COMMUNITIES).consume()
        self._run_rows(
            tx, cypher.CREATE_COMMUNITIES, "rows", [community_row(c) for c in communities]
        )
        tx.run(cypher.SET_COMMUNITIES_VERSION, {"version": graph_version}).consume()

    def communities(self) -> CommunitySet:
        version = self._read(cypher.COMMUNITIES_VERSION)[0]["v"]
        found = tuple(community_of(row) for row in self._read(cypher.COMMUNITIES))
        return CommunitySet(None if version is None else int(version), found)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _rederive_work(
    entity_ids: list[str],
    relation_ids: list[str],
    run_rows: RunRows,
    tx: ManagedTransaction,
    _version: int,
) -> None:
    rederive_batch(tx, entity_ids, relation_ids, run_rows)
