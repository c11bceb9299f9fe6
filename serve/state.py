"""One store as a long-running server holds it: models loaded once, many readers, one writer.

Readers share one `GroundGraph` handle. A write runs on a handle of its own (its own store
connection and in-memory vector indexes), so a reader never searches an index that a write is
changing; when a write publishes new index files, the next request gets a fresh reader handle
over them, and the old one is closed once the requests still using it finish. Every handle
shares one embedder, which merges concurrent questions into shared forward passes
(`BatchingEmbedder`), and each request reads one store version (`GroundGraph.ask` and
`retrieve` read inside `store.snapshot()`).
"""

import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from groundgraph.assembly import VECTORS_DIR, build_components
from groundgraph.facade import GroundGraph
from groundgraph.graph.errors import GroundGraphError, UsageError
from groundgraph.retrieval.base import ChatModel, Embedder
from groundgraph.retrieval.embedding.batching import BatchingEmbedder
from groundgraph.retrieval.indexes.store_vectors import CHUNK_INDEX_FILE, ENTITY_INDEX_FILE
from groundgraph.serve.scopes import may_write
from groundgraph.settings import Settings

UPLOADS_DIR = "uploads"
log = logging.getLogger("groundgraph.serve")
MAX_NAME_BYTES = 200
PRELOAD_QUESTION = "Who wrote this?"
_SAFE_NAME = re.compile(r"[^\w.\- ]+")


class ReadOnlyError(GroundGraphError):
    """A write was asked of a server started with `--read-only`."""


class OutsideSourceRootsError(GroundGraphError):
    """`/ingest` was given a path outside `serve.source_roots`."""


class _Handle:
    """A reader handle and how many requests are using it."""

    def __init__(self, gg: GroundGraph, published: tuple) -> None:
        self.gg = gg
        self.published = published
        self.users = 0
        self.retired = False


class ServedStore:
    """The store behind `groundgraph serve` and `groundgraph mcp`.

    Args:
        settings: the store's settings; `serve` says how it is served.
        read_only: refuse writes (overrides `serve.read_only` when True).
    """

    def __init__(self, settings: Settings, read_only: bool = False) -> None:
        serve = settings.serve
        self.read_only = read_only or serve.read_only
        # A write that finds another running waits `serve.write_wait`, then gets 409.
        graph = settings.graph.model_copy(update={"lock_wait": serve.write_wait})
        self.settings = settings.model_copy(update={"graph": graph})
        inner = build_components(self.settings).embedder
        self.embedder: Embedder = (
            BatchingEmbedder(inner, serve.batch_window_ms / 1000, serve.max_batch)
            if serve.batch_window_ms > 0
            else inner
        )
        self.directory = Path(settings.store)
        self.chat_models: dict[str, ChatModel] = {}
        self._lock = threading.Lock()
        self._reader = _Handle(self._open(), self._published())
        self._writer: GroundGraph | None = None
        self.ready = threading.Event()
        if not serve.preload:
            self.ready.set()

    def preload(self) -> None:
        """Load what answering needs (the embedder, spaCy, and the local language model when
        it is the generator) by answering one question, then report ready; run on a thread
        while `/health` says "loading". A model behind a server is not asked."""
        local = self.settings.generator == "local"
        try:
            with self.reading() as gg:
                gg.ask(PRELOAD_QUESTION, generator="local" if local else "extractive")
        except GroundGraphError as e:  # the first request will meet it again, and say why
            log.warning("preloading the models failed: %s", e)
        finally:
            self.ready.set()

    def _open(self) -> GroundGraph:
        return GroundGraph(self.settings, embedder=self.embedder, chat_models=self.chat_models)

    def _published(self) -> tuple:
        """Identity of the published vector index files: they are renamed into place, so a
        new publish is a new inode."""
        found: list[tuple[int, int, int] | None] = []
        for name in (CHUNK_INDEX_FILE, ENTITY_INDEX_FILE):
            try:
                st = os.stat(self.directory / VECTORS_DIR / name)
                found.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                found.append(None)
        return tuple(found)

    @contextmanager
    def reading(self) -> Iterator[GroundGraph]:
        """A handle over the latest published indexes, for one request."""
        published = self._published()
        with self._lock:
            if published != self._reader.published:
                self._retire(self._reader)
                self._reader = _Handle(self._open(), published)
            handle = self._reader
            handle.users += 1
        try:
            yield handle.gg
        finally:
            with self._lock:
                handle.users -= 1
                if handle.retired and handle.users == 0:
                    handle.gg.close()

    def _retire(self, handle: _Handle) -> None:
        handle.retired = True
        if handle.users == 0:
            handle.gg.close()

    @contextmanager
    def writing(self) -> Iterator[GroundGraph]:
        """The write handle. Writes are serialised by the store's write lock (a second write
        waits `serve.write_wait` seconds, then `StoreLockedError`).

        Raises:
            ReadOnlyError: the server is read-only.
        """
        self.refuse_if_read_only()
        with self._lock:
            if self._writer is None:
                self._writer = self._open()
            writer = self._writer
        yield writer

    def refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ReadOnlyError("this server is read-only (--read-only); it accepts no writes")
        if not may_write():
            raise ReadOnlyError(
                "this request's token may only read (it is one of serve.read_tokens); "
                "writes need serve.token"
            )

    def allowed_path(self, given: str) -> Path:
        """A path `/ingest` may read: it must resolve (symlinks followed) inside one of
        `serve.source_roots`.

        Raises:
            OutsideSourceRootsError: it does not, or no roots are configured.
        """
        roots = [Path(r).resolve() for r in self.settings.serve.source_roots]
        if not roots:
            raise OutsideSourceRootsError(
                "this server reads no paths: set serve.source_roots "
                "(GROUNDGRAPH_SERVE_SOURCE_ROOTS) to the folders it may ingest, or upload files"
            )
        path = Path(given).expanduser()
        if not path.is_absolute():
            path = roots[0] / path
        resolved = path.resolve()
        if not any(resolved.is_relative_to(root) for root in roots):
            shown = ", ".join(str(r) for r in roots)
            raise OutsideSourceRootsError(f"{given}: outside the server's source roots ({shown})")
        return resolved

    def upload_path(self, filename: str, data: bytes) -> Path:
        """Where an uploaded file is kept: `STORE/uploads/<content hash>/<name>`. Uploads stay
        so that `refresh` finds them; deleting the document deletes its upload.

        Raises:
            UsageError: the file name is empty or only path separators.
        """
        name = _SAFE_NAME.sub("_", Path(filename.replace("\\", "/")).name).strip(" .")
        if not name:
            raise UsageError(f"upload {filename!r}: give the file a name with its extension")
        if len(name.encode()) > MAX_NAME_BYTES:  # the file system's limit is 255
            suffix = Path(name).suffix[:16]
            name = name[: MAX_NAME_BYTES // 4 - len(suffix)] + suffix
        folder = self.directory / UPLOADS_DIR / hashlib.sha256(data).hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        partial = folder / f".{name}.partial"
        partial.write_bytes(data)
        partial.replace(path)
        return path

    def sharing(self) -> dict | None:
        """How many embedder passes the server's calls shared (None without batching)."""
        if isinstance(self.embedder, BatchingEmbedder):
            return vars(self.embedder.stats)
        return None

    def is_upload(self, path: Path) -> bool:
        return path.resolve().is_relative_to((self.directory / UPLOADS_DIR).resolve())

    def close(self) -> None:
        with self._lock:
            self._retire(self._reader)
            if self._writer is not None:
                self._writer.close()
