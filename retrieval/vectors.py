"""The store's two vector indexes, kept in step with the graph.

`chunks` holds one vector per chunk (its document title and text); `entities` one vector per
entity name or alias, for linking the entities a question mentions. `sync` embeds what the
graph has and the index lacks and drops what the graph no longer has, so a crash between a
graph write and an index write is repaired by the next sync.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from groundgraph.graph.base import GraphReader
from groundgraph.graph.ids import stable_hash
from groundgraph.ingest.resolution import normalise
from groundgraph.progress import Progress, no_progress
from groundgraph.retrieval.base import Embedder, RetrievalError
from groundgraph.retrieval.index_faiss import FaissIndex, IndexKind
from groundgraph.retrieval.settings import RetrievalSettings

CHUNK_INDEX_FILE = "chunks.npz"
ENTITY_INDEX_FILE = "entities.npz"
# Texts embedded per progress step; large enough to keep the embedder's batches full.
_EMBED_STEP = 2048


@dataclass
class VectorReport:
    """What a sync changed in the indexes."""

    chunks_added: int = 0
    chunks_removed: int = 0
    entities_added: int = 0
    entities_removed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


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


def chunk_text(title: str, text: str) -> str:
    """What is embedded for a chunk: its document's title gives it context."""
    return f"{title}\n{text}"


def _open(path: Path, embedder: Embedder, kind: IndexKind, hnsw_m: int) -> FaissIndex:
    if not path.exists():
        return FaissIndex(embedder.dimension, embedder.name, kind, hnsw_m)
    index = FaissIndex.load(path)
    if index.embedder != embedder.name or index.dimension != embedder.dimension:
        raise RetrievalError(
            f"vector index {path} was built with '{index.embedder}' ({index.dimension} dims) "
            f"but retrieval.embedding_model is '{embedder.name}' ({embedder.dimension} dims); "
            f"delete {path.parent} and run `groundgraph refresh` to rebuild it"
        )
    return index


class VectorIndexes:
    """The chunk and entity-name indexes of one store directory."""

    def __init__(self, directory: Path, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.directory = directory
        self.embedder = embedder
        self.chunks = _open(
            directory / CHUNK_INDEX_FILE, embedder, settings.index_type, settings.hnsw_m
        )
        # A question's phrases are searched among every entity name (32k on 2Wiki): a flat
        # search reads all their vectors, 52 MB at float32 and 6.6 ms, 1.3 ms at float16.
        self.entities = _open(
            directory / ENTITY_INDEX_FILE,
            embedder,
            "hnsw" if settings.index_type == "hnsw" else "fp16",
            settings.hnsw_m,
        )

    def save(self) -> None:
        self.chunks.save(self.directory / CHUNK_INDEX_FILE)
        self.entities.save(self.directory / ENTITY_INDEX_FILE)

    def consistency(self, store: GraphReader) -> VectorConsistency:
        """Compare the published chunk index with the chunks the graph holds."""
        published = self.directory / CHUNK_INDEX_FILE
        index = FaissIndex.load(published) if published.exists() else self.chunks
        chunk_ids = {c.id for c in store.chunks()}
        keys = index.keys()
        return VectorConsistency(
            chunks=len(chunk_ids),
            vectors=len(index),
            chunks_without_vector=len(chunk_ids - keys),
            vectors_without_chunk=len(keys - chunk_ids),
            duplicate_vectors=len(index) - len(keys),
        )

    def sync(self, store: GraphReader, progress: Progress = no_progress) -> VectorReport:
        """Bring both indexes in line with the graph and publish them."""
        report = VectorReport()
        began = time.perf_counter()
        titles = {d.id: d.title for d in store.documents()}
        wanted = {c.id: chunk_text(titles[c.doc_id], c.text) for c in store.chunks()}
        report.chunks_added, report.chunks_removed = self._update(
            self.chunks,
            wanted,
            {k: k for k in wanted},
            "embed chunks",
            progress,
            self.embedder.embed,
        )
        report.seconds["embed_chunks"] = time.perf_counter() - began
        began = time.perf_counter()
        forms, labels = {}, {}
        for entity in store.entities():
            # Aliases that differ from the name only in case or punctuation embed alike.
            distinct = {normalise(form): form for form in (*entity.aliases, entity.name)}
            for form in distinct.values():
                key = stable_hash("form", entity.id, form)
                forms[key], labels[key] = form, entity.id
        report.entities_added, report.entities_removed = self._update(
            self.entities, forms, labels, "embed entities", progress, self.embedder.embed_short
        )
        report.seconds["embed_entities"] = time.perf_counter() - began
        if (
            report.chunks_added
            or report.chunks_removed
            or report.entities_added
            or (report.entities_removed)
        ):
            self.save()
        return report

    def _update(
        self,
        index: FaissIndex,
        wanted: dict[str, str],
        labels: dict[str, str],
        stage: str,
        progress: Progress,
        embed: Callable[[Sequence[str]], np.ndarray],
    ) -> tuple[int, int]:
        have = index.keys()
        stale = sorted(have - wanted.keys())
        index.remove(stale)
        missing = sorted(wanted.keys() - have)
        for start in range(0, len(missing), _EMBED_STEP):
            keys = missing[start : start + _EMBED_STEP]
            vectors = embed([wanted[k] for k in keys])
            index.add(keys, vectors, [labels[k] for k in keys])
            progress(stage, start + len(keys), len(missing))
        return len(missing), len(stale)
