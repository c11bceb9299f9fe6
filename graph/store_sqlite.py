"""The embedded graph store: one SQLite file in WAL mode, one transaction per batch.

Entity and relation rows are caches of what mentions and evidence say (see `derive.py`);
every write recomputes the ones it touched, inside the same transaction, so a reader never
sees a half-applied document. The reads are in `sqlite_reads.py`.
"""

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from groundgraph.graph import sql
from groundgraph.graph.base import StoreError
from groundgraph.graph.derive import MentionRow, derive_entity, merge_evidence, merge_mentions
from groundgraph.graph.model import ChunkParse, Community, Document, DocumentGraph
from groundgraph.graph.sqlite_reads import (
    QUICK_CHECK_BYTES,
    SqliteReader,
    damaged_store_error,
    one_line_errors,
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqliteGraphStore(SqliteReader):
    """The embedded `GraphStore`: a single SQLite database file, no server.

    Example:
        store = SqliteGraphStore(Path("kg/graph.sqlite"))
        store.upsert([document_graph])
        print(store.stats())
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            existed = path.exists()
            if existed and path.stat().st_size <= QUICK_CHECK_BYTES:
                self._check()
            self._conn.executescript(sql.SCHEMA)
            self._add_columns()
        except sqlite3.DatabaseError as e:
            raise damaged_store_error(path, e) from e
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"cannot open graph database {path}: {e}") from e

    def _add_columns(self) -> None:
        for table, column in sql.ADDED_COLUMNS:
            present = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self._conn.execute(
                    f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
                )

    @contextmanager
    def _transaction(self, bump_version: bool = True) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise StoreError(f"cannot start a write on {self.path}: {e}") from e
        try:
            yield self._conn
            if bump_version:
                self._conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- whole copies (a staged refresh, `groundgraph/staged_store.py`) -------------------

    @one_line_errors
    def copy_to(self, target: Path) -> None:
        """The whole database written to `target` as one committed version (SQLite's online
        backup: readers go on meanwhile)."""
        target.unlink(missing_ok=True)
        with closing(sqlite3.connect(target)) as copy:
            self._conn.backup(copy)

    @one_line_errors
    def replace_with(self, source: Path) -> None:
        """This database replaced by the one at `source` in one write transaction: a reader's
        snapshot keeps the version it began with, the next one reads the new."""
        with closing(sqlite3.connect(source)) as staged:
            staged.backup(self._conn)

    # -- writes ---------------------------------------------------------------------------

    @one_line_errors
    def upsert(self, graphs: Sequence[DocumentGraph]) -> None:
        now = _now()
        with self._transaction() as conn:
            entity_ids: set[str] = set()
            relation_ids: set[str] = set()
            for graph in graphs:
                self._write_document(conn, graph.document, now)
                self._detach_chunks(conn, graph.document.id, entity_ids, relation_ids)
                self._write_chunks(conn, graph)
                entity_ids.update(m.entity_id for m in graph.mentions)
                relation_ids.update(e.relation_id for e in graph.evidence)
            self._refresh_relations(conn, relation_ids)
            self._refresh_entities(conn, entity_ids)

    @one_line_errors
    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        deleted = 0
        with self._transaction() as conn:
            entity_ids: set[str] = set()
            relation_ids: set[str] = set()
            for doc_id in dict.fromkeys(doc_ids):
                self._detach_chunks(conn, doc_id, entity_ids, relation_ids)
                deleted += conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            self._refresh_relations(conn, relation_ids)
            self._refresh_entities(conn, entity_ids)
        return deleted

    @staticmethod
    def _write_document(conn: sqlite3.Connection, doc: Document, now: str) -> None:
        row = conn.execute(
            "SELECT content_hash, ingested_at, updated_at FROM documents WHERE id = ?", (doc.id,)
        ).fetchone()
        ingested_at = row[1] if row else doc.ingested_at or now
        unchanged = row is not None and row[0] == doc.content_hash
        updated_at = row[2] if unchanged else doc.updated_at or now
        conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET "
            "uri=excluded.uri, title=excluded.title, source=excluded.source, "
            "content_hash=excluded.content_hash, updated_at=excluded.updated_at, "
            "author=excluded.author, created=excluded.created, modified=excluded.modified, "
            "encoding=excluded.encoding, effective_date=excluded.effective_date, "
            "date_source=excluded.date_source",
            (
                doc.id,
                doc.uri,
                doc.title,
                doc.source,
                doc.content_hash,
                ingested_at,
                updated_at,
                doc.author,
                doc.created,
                doc.modified,
                doc.encoding,
                doc.effective_date,
                doc.date_source,
            ),
        )

    @staticmethod
    def _detach_chunks(
        conn: sqlite3.Connection, doc_id: str, entity_ids: set[str], relation_ids: set[str]
    ) -> None:
        """Drop a document's chunks with their mentions and evidence, noting what they touched."""
        of_doc = "SELECT id FROM chunks WHERE doc_id = ?"
        entity_ids.update(
            r[0]
            for r in conn.execute(
                f"SELECT entity_id FROM mentions WHERE chunk_id IN ({of_doc})", (doc_id,)
            )
        )
        relation_ids.update(
            r[0]
            for r in conn.execute(
                f"SELECT relation_id FROM evidence WHERE chunk_id IN ({of_doc})", (doc_id,)
            )
        )
        conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))

    @staticmethod
    def _write_chunks(conn: sqlite3.Connection, graph: DocumentGraph) -> None:
        conn.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    c.id,
                    c.doc_id,
                    c.ordinal,
                    c.text,
                    c.start,
                    c.end,
                    c.content_hash,
                    c.section,
                    c.location,
                )
                for c in graph.chunks
            ],
        )
        conn.executemany(
            "INSERT INTO mentions VALUES (?,?,?,?,?,?,?)",
            [
                (m.chunk_id, m.entity_id, m.surface, m.name, m.type, m.count, m.merged_by)
                for m in merge_mentions(graph.mentions)
            ],
        )
        SqliteGraphStore._write_parses(conn, graph.parses)
        evidence = merge_evidence(graph.evidence)
        conn.executemany(
            "INSERT OR IGNORE INTO relations VALUES (?,?,?,?,0,'','')",
            [(e.relation_id, e.source_id, e.target_id, e.predicate) for e in evidence],
        )
        conn.executemany(
            "INSERT INTO evidence VALUES (?,?,?)",
            [(e.relation_id, e.chunk_id, e.weight) for e in evidence],
        )

    @staticmethod
    def _write_parses(conn: sqlite3.Connection, parses: Iterable[ChunkParse]) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO chunk_parses VALUES (?,?,?)",
            [(p.chunk_id, p.model, p.data) for p in parses],
        )

    @one_line_errors
    def put_parses(self, parses: Sequence[ChunkParse]) -> int:
        """Store the sentence layer of chunks that are stored (one transaction; the graph's
        version stays, as what it says does not change); returns how many were stored."""
        with self._transaction(bump_version=False) as conn:
            stored = {
                r[0]
                for r in self._select(
                    "SELECT id FROM chunks WHERE id IN ({marks})", (p.chunk_id for p in parses)
                )
            }
            kept = [p for p in parses if p.chunk_id in stored]
            self._write_parses(conn, kept)
        return len(kept)

    def _refresh_relations(self, conn: sqlite3.Connection, relation_ids: set[str]) -> None:
        totals = {r[0]: r[1:] for r in self._select(sql.EVIDENCE_TOTALS, relation_ids)}
        conn.executemany(
            "UPDATE relations SET weight = ?, first_seen = ?, last_seen = ? WHERE id = ?",
            [(*values, rid) for rid, values in totals.items()],
        )
        conn.executemany(
            "DELETE FROM relations WHERE id = ?", [(r,) for r in relation_ids - totals.keys()]
        )

    def _refresh_entities(self, conn: sqlite3.Connection, entity_ids: set[str]) -> None:
        rows: dict[str, list[MentionRow]] = defaultdict(list)
        for entity_id, *values in self._select(sql.MENTIONS_WITH_TIMES, entity_ids):
            rows[entity_id].append(MentionRow(*values))
        for entity_id in entity_ids:
            entity = derive_entity(entity_id, rows.get(entity_id, ()))
            if entity is None:
                self._delete_entity_if_unrelated(conn, entity_id)
                continue
            conn.execute(
                "INSERT INTO entities VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "name=excluded.name, type=excluded.type, aliases=excluded.aliases, "
                "mention_count=excluded.mention_count, first_seen=excluded.first_seen, "
                "last_seen=excluded.last_seen",
                (
                    entity.id,
                    entity.name,
                    entity.type,
                    json.dumps(entity.aliases),
                    entity.mention_count,
                    entity.first_seen,
                    entity.last_seen,
                ),
            )

    @staticmethod
    def _delete_entity_if_unrelated(conn: sqlite3.Connection, entity_id: str) -> None:
        related = conn.execute(
            "SELECT 1 FROM relations WHERE source_id = ? OR target_id = ? LIMIT 1",
            (entity_id, entity_id),
        ).fetchone()
        if related is None:
            conn.execute("DELETE FROM entities WHERE id = ?", (entity_id,))

    @one_line_errors
    def replace_communities(self, communities: Sequence[Community], graph_version: int) -> None:
        with self._transaction(bump_version=False) as db:
            db.execute("DELETE FROM communities")
            db.executemany(
                "INSERT INTO communities VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.id,
                        c.level,
                        c.size,
                        c.title,
                        c.summary,
                        json.dumps([c.evidence_chunks, c.evidence_starts, c.evidence_ends]),
                    )
                    for c in communities
                ],
            )
            db.executemany(
                "INSERT INTO community_members VALUES (?, ?, ?)",
                [(c.id, e, rank) for c in communities for rank, e in enumerate(c.entity_ids)],
            )
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('communities_version', ?)", (graph_version,)
            )
