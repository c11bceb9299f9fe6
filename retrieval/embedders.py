"""The embedder that the retrieval settings name: one place for the facade, the CLI, Dagster
and the benchmarks."""

from pathlib import Path

from groundgraph.retrieval.base import Embedder
from groundgraph.retrieval.embedder import SentenceTransformerEmbedder
from groundgraph.retrieval.embedder_runtime import RuntimeEmbedder
from groundgraph.retrieval.settings import RetrievalSettings


def embedder_for(settings: RetrievalSettings) -> Embedder:
    """The embedder of `settings.embedding_backend`; nothing loads until it embeds."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(
            settings.embedding_model,
            settings.embedding_batch_size,
            settings.device,
            settings.short_text_precision,
            settings.embedding_precision,
            settings.embedding_threads,
        )
    return RuntimeEmbedder(
        settings.embedding_model,
        settings.embedding_backend,
        settings.embedding_precision,
        settings.embedding_batch_size,
        settings.embedding_threads,
        Path(settings.embedding_cache) if settings.embedding_cache else None,
    )
