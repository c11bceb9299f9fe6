"""The store's two vector indexes, kept in step with the graph.

`chunks` holds one vector per chunk (its document title and text); `entities` one vector per
entity name or alias, for linking the entities a question mentions. `sync` embeds what the
graph has and the index lacks and drops what the graph no longer has, so a crash between a
graph write and an index write is repaired by the next sync.
"""

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from groundgraph.graph.base import GraphReader
from groundgraph.graph.ids import stable_hash
from groundgraph.graph.integrity import chunk_ids_of
from groundgraph.graph.progress import Progress, no_progress
from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.base import Embedder, RetrievalError, VectorIndex
from groundgraph.retrieval.indexes.faiss_index import DamagedIndexError, FaissIndex, IndexKind
from groundgraph.retrieval.settings import RetrievalSettings

CHUNK_INDEX_FILE = "chunks.npz"


def chunk_variants(directory: Path) -> tuple[str, ...]:
    """The embedder variants (`torch bfloat16`) the published chunk index of `directory` was
    computed with, read from its header; () for a store without one, or with a damaged one
    (which reads refuse with their own error and the next sync rebuilds)."""
    path = directory / CHUNK_INDEX_FILE
    try:
        return tuple(FaissIndex.header(path).get("variants", ())) if path.exists() else ()
    except DamagedIndexError:
        return ()


ENTITY_INDEX_FILE = "entities.npz"


@dataclass(frozen=True)
class VectorReport:
    """The vector stage's report: what a sync changed in the indexes, and how long the
    embedding took."""

    chunks_added: int = 0
    chunks_removed: int = 0
    entities_added: int = 0
    entities_removed: int = 0
    chunk_seconds: float = 0.0
    entity_seconds: float = 0.0
    rebuilt: tuple[str, ...] = ()  # index files found damaged and rebuilt from the graph

    @property
    def changed(self) -> bool:
        return bool(
            self.chunks_added or self.chunks_removed or self.entities_added or self.entities_removed
        )


@dataclass(frozen=True)
class PublishedIndexes:
    """The published indexes' sizes and the embedder variants (backend and precision)
    whose vectors each holds."""

    chunk_vectors: int
    entity_vectors: int
    chunk_variants: tuple[str, ...]
    entity_variants: tuple[str, ...]


@dataclass(frozen=True)
class VectorConsistency:
    """How far the chunk index is from one vector per stored chunk."""

    chunks: int
    vectors: int
    chunks_without_vector: int
    vectors_without_chunk: int
    duplicate_vectors: int

    @property
    def ok(self) -> bool:
        return not (
            self.chunks_without_vector or self.vectors_without_chunk or self.duplicate_vectors
        )


def remove_leftovers(directory: Path) -> list[Path]:
    """Delete temporary index files whose writing process is gone; the ones removed."""
    removed = []
    for tmp in directory.glob(".*.tmp") if directory.is_dir() else ():
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and _alive(int(pid)):
            continue
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def chunk_text(title: str, text: str) -> str:
    """What is embedded for a chunk: its document's title gives it context."""
    return f"{title}\n{text}"


def _open(path: Path, embedder: Embedder, kind: IndexKind, hnsw_m: int) -> VectorIndex:
    if not path.exists():
        return FaissIndex(embedder.dimension, embedder.name, kind, hnsw_m)
    index = FaissIndex.load(path)
    # The name alone decides: comparing dimensions would load the model just to open.
    if index.embedder != embedder.name:
        raise RetrievalError(
            f"vector index {path} was built with '{index.embedder}' ({index.dimension} dims) "
            f"but retrieval.embedding_model is '{embedder.name}'; delete {path.parent} and run "
            "`groundgraph refresh` to rebuild it"
        )
    return index


class VectorIndexes:
    """The chunk and entity-name indexes of one store directory, opened on first use.

    Temporary files that a killed writer left behind (`.chunks.npz.PID.tmp`) are removed when
    the indexes are opened.
    """

    def __init__(self, directory: Path, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.directory = directory
        self.embedder = embedder
        self.settings = settings
        remove_leftovers(directory)

    @cached_property
    def chunks(self) -> VectorIndex:
        s = self.settings
        return _open(self.directory / CHUNK_INDEX_FILE, self.embedder, s.index_type, s.hnsw_m)

    @cached_property
    def entities(self) -> VectorIndex:
        # A question's phrases are searched among every entity name (32k on 2Wiki): a flat
        # search reads all their vectors, 52 MB at float32 and 6.6 ms, 1.3 ms at float16.
        kind: IndexKind = "hnsw" if self.settings.index_type == "hnsw" else "fp16"
        return _open(self.directory / ENTITY_INDEX_FILE, self.embedder, kind, self.settings.hnsw_m)

    def published(self) -> "PublishedIndexes":
        """What the published indexes hold, read without loading them."""
        chunks, entities = (
            FaissIndex.header(p) if p.exists() else {}
            for p in (self.directory / CHUNK_INDEX_FILE, self.directory / ENTITY_INDEX_FILE)
        )
        return PublishedIndexes(
            chunks.get("count", 0),
            entities.get("count", 0),
            tuple(chunks.get("variants", ())),
            tuple(entities.get("variants", ())),
        )

    def save(self) -> None:
        """Publish both indexes. If either cannot be written, the in-memory ones are dropped:
        they hold what the files lack, so the next sync must start again from the files."""
        try:
            self.chunks.save(self.directory / CHUNK_INDEX_FILE)
            self.entities.save(self.directory / ENTITY_INDEX_FILE)
        except Exception:
            for name in ("chunks", "entities"):
                self.__dict__.pop(name, None)
            raise

    def consistency(
        self, store: GraphReader, changed_docs: Iterable[str] | None = None
    ) -> VectorConsistency:
        """Compare the published chunk index with the chunks the graph holds.

        With `changed_docs`, only those documents' chunks are looked up among the index's
        keys (read without loading the index) and the rest is compared by count, so a daily
        check reads the ids of what changed rather than of every chunk; a surplus or
        shortage elsewhere still shows in the counts.
        """
        published = self.directory / CHUNK_INDEX_FILE
        if changed_docs is not None:
            keys = set(FaissIndex.stored_keys(published) if published.exists() else self.chunks)
            changed = chunk_ids_of(store, changed_docs)
            total = store.stats().chunks
            return VectorConsistency(
                chunks=total,
                vectors=len(keys),
                chunks_without_vector=max(len(changed - keys), total - len(keys)),
                vectors_without_chunk=max(len(keys) - total, 0),
                duplicate_vectors=0,  # seen only by a full check, which loads the index
            )
        index = FaissIndex.load(published) if published.exists() else self.chunks
        chunk_ids = store.chunk_ids()
        keys = index.keys()
        return VectorConsistency(
            chunks=len(chunk_ids),
            vectors=len(index),
            chunks_without_vector=len(chunk_ids - keys),
            vectors_without_chunk=len(keys - chunk_ids),
            duplicate_vectors=len(index) - len(keys),
        )

    def repair(self) -> tuple[str, ...]:
        """Set aside index files that cannot be read (as `NAME.damaged`), so that the next
        sync rebuilds them from the graph; the names of those set aside."""
        damaged = []
        for name, attribute in ((CHUNK_INDEX_FILE, "chunks"), (ENTITY_INDEX_FILE, "entities")):
            path = self.directory / name
            if not path.exists():
                continue
            try:
                FaissIndex.header(path)
                if attribute not in self.__dict__:
                    getattr(self, attribute)
            except DamagedIndexError:
                path.replace(path.with_name(f"{name}.damaged"))
                self.__dict__.pop(attribute, None)
                damaged.append(name)
        return tuple(damaged)

    def sync(
        self, store: GraphReader, progress: Progress = no_progress, repair: bool = True
    ) -> VectorReport:
        """Bring both indexes in line with the graph and publish them: the vector stage. With
        `repair`, an index file that cannot be read is rebuilt from the graph."""
        rebuilt = self.repair() if repair else ()
        began = time.perf_counter()
        chunks_added, chunks_removed = self._update(
            self.chunks,
            store.chunk_ids(),
            lambda keys: _chunk_texts(store, keys),
            lambda keys: keys,
            "embed chunks",
            progress,
            self.embedder.embed,
            lambda: self.embedder.variant,
        )
        chunk_seconds = time.perf_counter() - began
        began = time.perf_counter()
        forms, labels = {}, {}
        for entity in store.entities():
            # Aliases that differ from the name only in case or punctuation embed alike.
            distinct = {normalise(form): form for form in (*entity.aliases, entity.name)}
            for form in distinct.values():
                key = stable_hash("form", entity.id, form)
                forms[key], labels[key] = form, entity.id
        entities_added, entities_removed = self._update(
            self.entities,
            set(forms),
            lambda keys: [forms[k] for k in keys],
            lambda keys: [labels[k] for k in keys],
            "embed entities",
            progress,
            self.embedder.embed_short,
            lambda: self.embedder.short_variant,
        )
        report = VectorReport(
            chunks_added,
            chunks_removed,
            entities_added,
            entities_removed,
            chunk_seconds,
            time.perf_counter() - began,
            rebuilt,
        )
        if report.changed or rebuilt:
            self.save()
        return report

    def _update(
        self,
        index: VectorIndex,
        wanted: set[str],
        texts: Callable[[list[str]], list[str]],
        labels: Callable[[list[str]], list[str]],
        stage: str,
        progress: Progress,
        embed: Callable[[Sequence[str]], np.ndarray],
        variant: Callable[[], str],
    ) -> tuple[int, int]:
        """Diff the index's keys against `wanted` and embed only what is missing: texts
        are read for those keys alone, so a sync with no change reads ids, not texts."""
        have = index.keys()
        stale = sorted(have - wanted)
        index.remove(stale)
        if not len(index):
            index.variants.clear()
        missing = sorted(wanted - have)
        if missing:
            index.variants.add(variant())
        step = self.settings.embedding_batch_size  # progress after every forward pass
        for start in range(0, len(missing), step):
            keys = missing[start : start + step]
            index.add(keys, embed(texts(keys)), labels(keys))
            progress(stage, start + len(keys), len(missing))
        return len(missing), len(stale)


def _chunk_texts(store: GraphReader, keys: list[str]) -> list[str]:
    """The embedded text of each chunk of `keys` (its document's title, then its text)."""
    chunks = {c.id: c for c in store.chunks(keys)}
    titles = {d.id: d.title for d in store.documents({c.doc_id for c in chunks.values()})}
    return [chunk_text(titles[chunks[k].doc_id], chunks[k].text) for k in keys]
