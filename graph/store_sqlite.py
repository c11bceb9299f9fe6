"""The embedded graph store: one SQLite file in WAL mode, one transaction per batch.

Entity and relation rows are caches of what mentions and evidence say (see `derive.py`);
every write recomputes the ones it touched, inside the same transaction, so a reader never
sees a half-applied document.
"""

import functools
import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from groundgraph.graph import sql
from groundgraph.graph.base import StoreError
from groundgraph.graph.derive import MentionRow, derive_entity, merge_evidence, merge_mentions
from groundgraph.graph.model import (
    Adjacency,
    Chunk,
    Community,
    CommunitySet,
    Document,
    DocumentGraph,
    Entity,
    GraphStats,
    Mention,
    Relation,
)

T = TypeVar("T")

# SQLite allows 32,766 host parameters per statement; 900 keeps every IN list far below it.
_IN_BATCH = 900


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _batches(values: Iterable[str]) -> Iterator[list[str]]:
    items = list(values)
    for i in range(0, len(items), _IN_BATCH):
        yield items[i : i + _IN_BATCH]


def _marks(n: int) -> str:
    return ",".join("?" * n)


# Stores up to this size are checked at every open (about 0.1 s per 100 MB); larger ones when
# `groundgraph check` runs.
QUICK_CHECK_BYTES = 256 * 2**20
# How long a write waits for another connection's write to finish before failing.
BUSY_TIMEOUT_MS = 30_000


def _damaged(path: Path, error: sqlite3.DatabaseError) -> StoreError:
    """The one-line error for a database that cannot be used, with what to do."""
    text = " ".join(str(error).split())  # integrity reports span lines
    if "full" in text:
        return StoreError(f"{path}: the disk is full ({text}); free space and run the write again")
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: another process holds the database ({text}); try again")
    return StoreError(
        f"{path} is damaged ({text}); restore it from a backup, or delete the store directory "
        "and ingest the sources again (the vector indexes are rebuilt from the graph)"
    )


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """A store method whose SQLite errors become one-line `StoreError`s."""

    @functools.wraps(method)
    def guarded(self: "SqliteGraphStore", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            raise _damaged(self.path, e) from e

    return guarded


class SqliteGraphStore:
    """The embedded `GraphStore`: a single SQLite database file, no server.

    Example:
        store = SqliteGraphStore(Path("kg/graph.sqlite"))
        store.upsert([document_graph])
        print(store.stats())
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            existed = path.exists()
            if existed and path.stat().st_size <= QUICK_CHECK_BYTES:
                self._check()
            self._conn.executescript(sql.SCHEMA)
            self._add_columns()
        except sqlite3.DatabaseError as e:
            raise _damaged(path, e) from e
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"cannot open graph database {path}: {e}") from e

    def _add_columns(self) -> None:
        for table, column in sql.ADDED_COLUMNS:
            present = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self._conn.execute(
                    f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
                )

    @property
    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads, so
        readers of a server run side by side, each on its own snapshot)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the store as one committed version (a read transaction),
        so an answer never cites a chunk that a concurrent write replaced meanwhile."""
        conn = self._conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.execute("COMMIT")

    @_guarded
    def check(self) -> list[str]:
        """SQLite's full `integrity_check`: every page, index and constraint."""
        problems = [row[0] for row in self._conn.execute("PRAGMA integrity_check(20)")]
        return [] if problems == ["ok"] else problems

    def _check(self) -> None:
        """SQLite's quick integrity check: a garbled page is found now, not at the next write."""
        problems = [row[0] for row in self._conn.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems))

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

    def _select(self, query: str, values: Iterable[str]) -> list[tuple]:
        rows: list[tuple] = []
        for batch in _batches(values):
            rows.extend(self._conn.execute(query.format(marks=_marks(len(batch))), batch))
        return rows

    # -- writes ---------------------------------------------------------------------------

    @_guarded
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

    @_guarded
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

    def close(self) -> None:
        with self._opened_lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
        self._local = threading.local()

    @staticmethod
    def _write_document(conn: sqlite3.Connection, doc: Document, now: str) -> None:
        row = conn.execute(
            "SELECT content_hash, ingested_at, updated_at FROM documents WHERE id = ?", (doc.id,)
        ).fetchone()
        ingested_at = row[1] if row else doc.ingested_at or now
        unchanged = row is not None and row[0] == doc.content_hash
        updated_at = row[2] if unchanged else doc.updated_at or now
        conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
            "uri=excluded.uri, title=excluded.title, source=excluded.source, "
            "content_hash=excluded.content_hash, updated_at=excluded.updated_at, "
            "author=excluded.author, created=excluded.created, modified=excluded.modified, "
            "encoding=excluded.encoding",
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
            "INSERT INTO mentions VALUES (?,?,?,?,?,?)",
            [
                (m.chunk_id, m.entity_id, m.surface, m.name, m.type, m.count)
                for m in merge_mentions(graph.mentions)
            ],
        )
        evidence = merge_evidence(graph.evidence)
        conn.executemany(
            "INSERT OR IGNORE INTO relations VALUES (?,?,?,?,0,'','')",
            [(e.relation_id, e.source_id, e.target_id, e.predicate) for e in evidence],
        )
        conn.executemany(
            "INSERT INTO evidence VALUES (?,?,?)",
            [(e.relation_id, e.chunk_id, e.weight) for e in evidence],
        )

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

    # -- reads ----------------------------------------------------------------------------

    def _rows(self, table: str, ids: Iterable[str] | None, order: str = "id") -> list[tuple]:
        base = f"SELECT * FROM {table}"
        if ids is None:
            return list(self._conn.execute(f"{base} ORDER BY {order}"))
        rows = self._select(base + " WHERE id IN ({marks})", dict.fromkeys(ids))
        return sorted(rows, key=lambda r: r[0])

    @_guarded
    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        return [Document(*row) for row in self._rows("documents", ids)]

    @_guarded
    def chunk_ids(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT id FROM chunks")}

    @_guarded
    def chunks(self, ids: Iterable[str] | None = None, doc_id: str | None = None) -> list[Chunk]:
        if doc_id is not None:
            rows = self._conn.execute(
                "SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
            )
            return [Chunk(*row) for row in rows]
        return [Chunk(*row) for row in self._rows("chunks", ids)]

    @_guarded
    def entities(self, ids: Iterable[str] | None = None) -> list[Entity]:
        return [
            Entity(id_, name, type_, tuple(json.loads(aliases)), count, first, last)
            for id_, name, type_, aliases, count, first, last in self._rows("entities", ids)
        ]

    @_guarded
    def mentions(
        self, chunk_ids: Iterable[str] | None = None, entity_ids: Iterable[str] | None = None
    ) -> list[Mention]:
        if chunk_ids is None and entity_ids is None:
            rows = list(self._conn.execute("SELECT * FROM mentions"))
        else:
            rows = self._select(
                "SELECT * FROM mentions WHERE chunk_id IN ({marks})", dict.fromkeys(chunk_ids or ())
            )
            rows += self._select(
                "SELECT * FROM mentions WHERE entity_id IN ({marks})",
                dict.fromkeys(entity_ids or ()),
            )
        return sorted(
            {Mention(*row) for row in rows}, key=lambda m: (m.chunk_id, m.entity_id, m.surface)
        )

    @_guarded
    def relations(self, entity_ids: Iterable[str] | None = None) -> list[Relation]:
        if entity_ids is None:
            rows = list(self._conn.execute("SELECT * FROM relations"))
        else:
            ids = list(dict.fromkeys(entity_ids))
            rows = self._select("SELECT * FROM relations WHERE source_id IN ({marks})", ids)
            rows += self._select("SELECT * FROM relations WHERE target_id IN ({marks})", ids)
        unique = {row[0]: row for row in rows}
        evidence: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for relation_id, chunk_id, weight in self._select(
            "SELECT relation_id, chunk_id, weight FROM evidence WHERE relation_id IN ({marks})",
            unique,
        ):
            evidence[relation_id].append((chunk_id, weight))
        relations = []
        for rid, (_, src, dst, pred, weight, first, last) in sorted(unique.items()):
            chunks, weights = (
                zip(*sorted(evidence[rid]), strict=True) if evidence[rid] else ((), ())
            )
            relations.append(Relation(rid, src, dst, pred, weight, chunks, first, last, weights))
        return relations

    @_guarded
    def stats(self) -> GraphStats:
        def count(table: str) -> int:
            return self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

        types = dict(
            self._conn.execute(
                "SELECT type, COUNT(*) FROM entities GROUP BY type ORDER BY COUNT(*) DESC, type"
            )
        )
        return GraphStats(
            documents=count("documents"),
            chunks=count("chunks"),
            entities=count("entities"),
            relations=count("relations"),
            mentions=count("mentions"),
            entity_types=types,
        )

    @_guarded
    def adjacency(self) -> Adjacency:
        mentions = self._conn.execute(
            "SELECT chunk_id, entity_id, SUM(count) FROM mentions GROUP BY chunk_id, entity_id"
        )
        relations = self._conn.execute("SELECT source_id, target_id, weight FROM relations")
        return Adjacency(tuple(mentions), tuple(relations))

    @_guarded
    def version(self) -> int:
        return self._conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]

    @_guarded
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

    @_guarded
    def communities(self) -> CommunitySet:
        row = self._conn.execute(
            "SELECT value FROM meta WHERE key = 'communities_version'"
        ).fetchone()
        members = defaultdict(list)
        for community_id, entity_id in self._conn.execute(sql.COMMUNITY_MEMBERS):
            members[community_id].append(entity_id)
        found = []
        for cid, level, size, title, summary, evidence in self._conn.execute(sql.COMMUNITIES):
            chunks, starts, ends = json.loads(evidence)
            found.append(
                Community(
                    cid,
                    level,
                    size,
                    title,
                    summary,
                    tuple(members[cid]),
                    tuple(chunks),
                    tuple(starts),
                    tuple(ends),
                )
            )
        return CommunitySet(None if row is None else row[0], tuple(found))
