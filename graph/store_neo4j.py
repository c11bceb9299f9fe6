"""The Neo4j 5 graph store: the production backend, over Bolt with the official driver.

Each batch of documents is one managed write transaction (the driver retries it on transient
errors such as deadlocks or a leader switch); rows go in `UNWIND $rows` statements of
`Neo4jSettings.batch_size`. Entity and relation properties are what the mentions and evidence
that remain after a write derive (`derive.py`), kept by running tallies that each write
adjusts by its own delta (`neo4j_aggregates.py`); the entities a write reads come from
what this process last wrote while no other writer came between (`KnownEntities`).
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from neo4j import ManagedTransaction

from groundgraph.graph import cypher
from groundgraph.graph.derive import MentionRow, merge_evidence, merge_mentions
from groundgraph.graph.model import ChunkParse, Community, DocumentGraph
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
from groundgraph.graph.neo4j_reads import Neo4jReader
from groundgraph.graph.neo4j_rows import (
    chunk_rows,
    community_row,
    document_rows,
    merged_name_rows,
    parse_rows,
)
from groundgraph.graph.settings import Neo4jSettings

T = TypeVar("T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Neo4jGraphStore(Neo4jReader):
    """A `GraphStore` on a Neo4j 5 server: `Neo4jReader`'s connection and reads, and writes.

    Example:
        store = Neo4jGraphStore(Neo4jSettings(uri="bolt://127.0.0.1:7687", password="..."))
        store.upsert([document_graph])
    """

    def __init__(self, settings: Neo4jSettings) -> None:
        super().__init__(settings)
        self._known = KnownEntities()

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

    def put_parses(self, parses: Sequence[ChunkParse]) -> int:
        rows = parse_rows(parses)
        if not rows:
            return 0

        def work(tx: ManagedTransaction, _: int) -> int:
            return sum(r["stored"] for r in self._run_rows(tx, cypher.PUT_PARSES, "rows", rows))

        return self._write(work, bump_version=False)

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


def _rederive_work(
    entity_ids: list[str],
    relation_ids: list[str],
    run_rows: RunRows,
    tx: ManagedTransaction,
    _version: int,
) -> None:
    rederive_batch(tx, entity_ids, relation_ids, run_rows)
