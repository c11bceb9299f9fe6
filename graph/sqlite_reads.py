"""Reading the embedded graph store: per-thread SQLite connections, read snapshots, and every
query of the `GraphReader` contract. `store_sqlite.py` adds the writes.
"""

import functools
import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from groundgraph.graph import sql
from groundgraph.graph.base import StoreError
from groundgraph.graph.model import (
    Adjacency,
    Chunk,
    ChunkParse,
    Community,
    CommunitySet,
    Document,
    Entity,
    GraphStats,
    Mention,
    Relation,
)

T = TypeVar("T")

# SQLite allows 32,766 host parameters per statement; 900 keeps every IN list far below it.
_IN_BATCH = 900


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


def damaged_store_error(path: Path, error: sqlite3.DatabaseError) -> StoreError:
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


def one_line_errors(method: Callable[..., T]) -> Callable[..., T]:
    """A store method whose SQLite errors become one-line `StoreError`s."""

    @functools.wraps(method)
    def guarded(self: "SqliteReader", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            raise damaged_store_error(self.path, e) from e

    return guarded


class SqliteReader:
    """The read side of `SqliteGraphStore`, on the database file at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()

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

    @one_line_errors
    def check(self) -> list[str]:
        """SQLite's full `integrity_check`: every page, index and constraint."""
        problems = [row[0] for row in self._conn.execute("PRAGMA integrity_check(20)")]
        return [] if problems == ["ok"] else problems

    def _check(self) -> None:
        """SQLite's quick integrity check: a garbled page is found now, not at the next write."""
        problems = [row[0] for row in self._conn.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems))

    def _select(self, query: str, values: Iterable[str]) -> list[tuple]:
        rows: list[tuple] = []
        for batch in _batches(values):
            rows.extend(self._conn.execute(query.format(marks=_marks(len(batch))), batch))
        return rows

    def close(self) -> None:
        with self._opened_lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
        self._local = threading.local()

    # -- reads ----------------------------------------------------------------------------

    def _rows(self, table: str, ids: Iterable[str] | None, order: str = "id") -> list[tuple]:
        base = f"SELECT * FROM {table}"
        if ids is None:
            return list(self._conn.execute(f"{base} ORDER BY {order}"))
        rows = self._select(base + " WHERE id IN ({marks})", dict.fromkeys(ids))
        return sorted(rows, key=lambda r: r[0])

    @one_line_errors
    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        return [Document(*row) for row in self._rows("documents", ids)]

    @one_line_errors
    def chunk_ids(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT id FROM chunks")}

    @one_line_errors
    def chunks(self, ids: Iterable[str] | None = None, doc_id: str | None = None) -> list[Chunk]:
        if doc_id is not None:
            rows = self._conn.execute(
                "SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
            )
            return [Chunk(*row) for row in rows]
        return [Chunk(*row) for row in self._rows("chunks", ids)]

    @one_line_errors
    def parses(self, chunk_ids: Iterable[str]) -> dict[str, ChunkParse]:
        rows = self._select(
            "SELECT chunk_id, model, parse FROM chunk_parses WHERE chunk_id IN ({marks})",
            dict.fromkeys(chunk_ids),
        )
        return {row[0]: ChunkParse(row[0], row[1], bytes(row[2])) for row in rows}

    @one_line_errors
    def chunks_without_parse(self, model: str) -> list[str]:
        return [row[0] for row in self._conn.execute(sql.CHUNKS_WITHOUT_PARSE, (model,))]

    @one_line_errors
    def entities(self, ids: Iterable[str] | None = None) -> list[Entity]:
        return [
            Entity(id_, name, type_, tuple(json.loads(aliases)), count, first, last)
            for id_, name, type_, aliases, count, first, last in self._rows("entities", ids)
        ]

    @one_line_errors
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

    @one_line_errors
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

    @one_line_errors
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

    @one_line_errors
    def adjacency(self) -> Adjacency:
        mentions = self._conn.execute(
            "SELECT chunk_id, entity_id, SUM(count) FROM mentions GROUP BY chunk_id, entity_id"
        )
        relations = self._conn.execute("SELECT source_id, target_id, weight FROM relations")
        return Adjacency(tuple(mentions), tuple(relations))

    @one_line_errors
    def version(self) -> int:
        return self._conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]

    @one_line_errors
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
