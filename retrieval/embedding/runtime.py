"""Embeddings from an exported model on ONNX Runtime or OpenVINO, without torch.

Texts are tokenised with the model's own fast tokenizer, sorted by length so each batch pads
little (as sentence-transformers does), run through the exported transformer and pooled as
the model's pooling module would.
"""

import threading
from collections.abc import Callable, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

import numpy as np

from groundgraph.retrieval.base import RetrievalError
from groundgraph.retrieval.embedding.export import ExportedModel, default_cache, exported_model
from groundgraph.retrieval.embedding.sentence_transformer import resolve_model
from groundgraph.retrieval.settings import BACKEND_PRECISIONS

RuntimeBackend = Literal["onnx", "openvino"]
# (inputs by name) -> token embeddings (batch, tokens, dimension)
_Run = Callable[[dict[str, np.ndarray]], np.ndarray]


def _onnx_session(exported: ExportedModel, precision: str, threads: int) -> _Run:
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    path = exported.int8_file if precision == "int8" else exported.onnx_file
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    wanted = [i.name for i in session.get_inputs()]

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray:
        return session.run(None, {n: inputs[n] for n in wanted})[0]

    return run


def _openvino_model(exported: ExportedModel, precision: str, threads: int) -> _Run:
    import openvino as ov

    core = ov.Core()
    config: dict[str, object] = {"INFERENCE_PRECISION_HINT": "f32"}
    if precision == "bfloat16":
        config["INFERENCE_PRECISION_HINT"] = "bf16"
    if threads:
        config["INFERENCE_NUM_THREADS"] = threads
    path = exported.int8_file if precision == "int8" else exported.onnx_file
    compiled = core.compile_model(core.read_model(str(path)), "CPU", config)
    wanted = [i.get_any_name() for i in compiled.inputs]
    request = compiled.create_infer_request()
    # One request serves every caller: a server's question threads and an ingest's names
    # may embed at once, and a request runs one inference at a time (its output buffer is
    # reused by the next, so it is copied before the lock is let go).
    lock = threading.Lock()

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray:
        with lock:
            result = request.infer({n: inputs[n] for n in wanted})
            return np.array(result[compiled.outputs[0]])

    return run


_RUNTIMES = {"onnx": _onnx_session, "openvino": _openvino_model}


def _openvino_bfloat16() -> bool:
    """Whether OpenVINO computes bfloat16 natively on this CPU."""
    import openvino as ov

    return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


@cache
def _load(
    model: str, backend: RuntimeBackend, precision: str, threads: int, cache_dir: str
) -> tuple[ExportedModel, object, _Run]:
    """The export, tokenizer and compiled model, once per process."""
    from tokenizers import Tokenizer

    runtime = _RUNTIMES[backend]
    exported = exported_model(model, resolve_model(model), Path(cache_dir))
    tokenizer = Tokenizer.from_file(str(exported.tokenizer_file))
    tokenizer.enable_truncation(exported.max_length)
    tokenizer.enable_padding()
    try:
        run = runtime(exported, precision, threads)
    except (RuntimeError, ValueError) as e:  # both runtimes raise these on a bad model/config
        raise RetrievalError(
            f"cannot load the {backend} embedding model from {exported.folder}: {e}"
        ) from e
    return exported, tokenizer, run


class RuntimeEmbedder:
    """An `Embedder` on ONNX Runtime or OpenVINO over the model exported to ONNX.

    Args:
        model: a sentence-transformers model name or path, as for the torch embedder.
        backend: `onnx` (ONNX Runtime) or `openvino`.
        precision: `float32`, `int8` (dynamic INT8 weights), `bfloat16` (OpenVINO only), or
            `auto`: bfloat16 where OpenVINO computes it natively, float32 otherwise.
        batch_size: texts per forward pass.
        threads: the runtime's threads (0 leaves its default, one per core).
        cache: where exported models are kept; see `embedder_export.default_cache`.

    Short texts go through the same compiled model: the precision is the model's.
    """

    def __init__(
        self,
        model: str,
        backend: RuntimeBackend,
        precision: str = "float32",
        batch_size: int = 64,
        threads: int = 0,
        cache: Path | None = None,
    ) -> None:
        offered = BACKEND_PRECISIONS.get(backend, ())
        if precision not in ("auto", *offered):
            raise RetrievalError(
                f"embedding precision '{precision}' is not available with the '{backend}' "
                f"backend (it offers {', '.join(offered) or 'nothing'})"
            )
        self.name = model
        self.backend = backend
        self.requested_precision = precision
        self.batch_size = batch_size
        self.threads = threads
        self.cache = cache or default_cache()

    @cached_property
    def precision(self) -> str:
        """The precision it computes in: `auto` is resolved on first use, not when the store
        opens (asking OpenVINO about the CPU imports it, which `stats` does not need)."""
        if self.requested_precision != "auto":
            return self.requested_precision
        offered = BACKEND_PRECISIONS[self.backend]
        return "bfloat16" if "bfloat16" in offered and _openvino_bfloat16() else "float32"

    @property
    def variant(self) -> str:
        return f"{self.backend} {self.precision}"

    @property
    def short_variant(self) -> str:
        return self.variant

    @property
    def _loaded(self) -> tuple[ExportedModel, object, _Run]:
        return _load(self.name, self.backend, self.precision, self.threads, str(self.cache))

    @property
    def dimension(self) -> int:
        return self._loaded[0].dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        exported, tokenizer, run = self._loaded
        out = np.zeros((len(texts), exported.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            encodings = tokenizer.encode_batch([texts[i] for i in batch])  # type: ignore[attr-defined]
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            inputs = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": mask,
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            out[batch] = _pool(run(inputs).astype(np.float32), mask, exported.pooling)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_short(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)


def _pool(tokens: np.ndarray, mask: np.ndarray, pooling: str) -> np.ndarray:
    if pooling == "cls":
        return tokens[:, 0]
    weights = mask[:, :, None].astype(np.float32)
    return (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
