"""The embedder that the retrieval settings name: one place for the facade, the CLI, Dagster
and the benchmarks.

Chunks and short texts (questions, their phrases, entity names) may run on different
backends: chunks are embedded in bulk, where torch in bfloat16 is fastest here, and a
question is one pass over two or three short texts, where torch's per-call cost is most of
the time and OpenVINO takes a third of it. Both compute in one vector space.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from groundgraph.retrieval.base import Embedder
from groundgraph.retrieval.embedding.runtime import RuntimeEmbedder
from groundgraph.retrieval.embedding.sentence_transformer import SentenceTransformerEmbedder
from groundgraph.retrieval.settings import BACKEND_PRECISIONS, RetrievalSettings


class SplitEmbedder:
    """Chunks through one embedder, short texts through another of the same model."""

    def __init__(self, chunks: Embedder, short: Embedder) -> None:
        self.chunks = chunks
        self.short = short
        self.name = chunks.name

    @property
    def dimension(self) -> int:
        return self.chunks.dimension

    @property
    def variant(self) -> str:
        return self.chunks.variant

    @property
    def short_variant(self) -> str:
        return self.short.short_variant

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.chunks.embed(texts)

    def embed_short(self, texts: Sequence[str]) -> np.ndarray:
        return self.short.embed_short(texts)


def _backend(settings: RetrievalSettings, backend: str, precision: str) -> Embedder:
    """The embedder of one backend; a torch one embeds short texts at
    `short_text_precision` on its own copy of the model."""
    if backend == "torch":
        return SentenceTransformerEmbedder(
            settings.embedding_model,
            settings.embedding_batch_size,
            settings.device,
            settings.short_text_precision,
            precision,
            settings.embedding_threads,
        )
    return RuntimeEmbedder(
        settings.embedding_model,
        backend,  # type: ignore[arg-type]  # torch is handled above
        precision,
        settings.embedding_batch_size,
        settings.embedding_threads,
        Path(settings.embedding_cache) if settings.embedding_cache else None,
    )


def store_precisions(
    settings: RetrievalSettings, recorded: Sequence[str] = ()
) -> RetrievalSettings:
    """The settings with `auto` precisions made the store's: chunks in the precision the
    store's chunk vectors were computed in (`recorded`, the variants its index holds, e.g.
    `torch bfloat16`), float32 for a new store; short texts in float32. None of this follows
    the CPU, so every machine reads one store alike and a corpus ingested on two machines gets
    the same answers. float32 is the default because every x86-64 CPU computes it alike and
    none slowly: bfloat16, where it is not native, is emulated at a ninth of float32's speed
    (see bench/RESULTS.md); a store asked for in bfloat16 keeps it on every machine."""
    updates: dict[str, str] = {}
    if settings.embedding_precision == "auto":
        offered = BACKEND_PRECISIONS[settings.embedding_backend]
        kept = {v.rsplit(" ", 1)[-1] for v in recorded} & set(offered)
        updates["embedding_precision"] = kept.pop() if len(kept) == 1 else "float32"
    if settings.short_text_precision == "auto":
        updates["short_text_precision"] = "float32"
    return settings.model_copy(update=updates) if updates else settings


def embedder_for(settings: RetrievalSettings, recorded: Sequence[str] = ()) -> Embedder:
    """The embedder of `settings.embedding_backend` for chunks and of
    `settings.short_text_backend` for short texts, `auto` precisions resolved by
    `store_precisions`; nothing loads until it embeds."""
    s = store_precisions(settings, recorded)
    chunks = _backend(s, s.embedding_backend, s.embedding_precision)
    if s.short_text_backend == "torch" and s.embedding_backend == "torch":
        return chunks
    if (s.short_text_backend, s.short_text_precision) == (
        s.embedding_backend,
        s.embedding_precision,
    ):
        return chunks
    short = _backend(s, s.short_text_backend, s.short_text_precision)
    return SplitEmbedder(chunks, short)
