"""A sentence-transformers model exported once to ONNX, for ONNX Runtime and OpenVINO.

The export goes through `torch.onnx.export(dynamo=False)` and the INT8 copy through
`onnxruntime.quantization.quantize_dynamic`: sentence-transformers' own ONNX and OpenVINO
backends go through optimum, whose releases pin transformers below 5. The folder holds the
transformer graph, its tokenizer and what the pooling needs, so loading it later needs
neither torch nor sentence-transformers.
"""

import json
import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groundgraph.graph.ids import stable_hash
from groundgraph.retrieval.base import RetrievalError

if TYPE_CHECKING:
    import torch

# Bumped when the exported files change shape, so an older cache is exported again.
EXPORT_FORMAT = 1
_POOLINGS = ("mean", "cls")


@dataclass(frozen=True)
class ExportedModel:
    """An exported model's folder and what encoding with it needs."""

    folder: Path
    dimension: int
    max_length: int
    pooling: str  # "mean" or "cls"

    @property
    def onnx_file(self) -> Path:
        return self.folder / "model.onnx"

    @property
    def int8_file(self) -> Path:
        return self.folder / "model.int8.onnx"

    @property
    def tokenizer_file(self) -> Path:
        return self.folder / "tokenizer.json"


def default_cache() -> Path:
    """`$XDG_CACHE_HOME/groundgraph/embedders`, else `~/.cache/groundgraph/embedders`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "groundgraph" / "embedders"


def exported_model(model: str, source: str, cache: Path) -> ExportedModel:
    """The export of `model` (loaded from `source`, a local path or hub id), made on first use.

    The folder name joins the model name with a hash of the name and source, so a model
    reloaded from another path is exported again. Concurrent first uses each export into a
    temporary folder and the first rename wins.

    Raises:
        RetrievalError: the model cannot be loaded or exported, or pools in a way the
            exported graph does not reproduce.
    """
    slug = "".join(c if c.isalnum() else "-" for c in model.rsplit("/", 1)[-1])
    folder = cache / f"{slug}-{stable_hash(model, source, str(EXPORT_FORMAT))[:12]}"
    manifest = folder / "export.json"
    if not manifest.exists():
        _export(model, source, folder)
    meta = json.loads(manifest.read_text())
    return ExportedModel(folder, meta["dimension"], meta["max_length"], meta["pooling"])


def _export(model: str, source: str, folder: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    try:
        st = SentenceTransformer(source, device="cpu")
    except (OSError, ValueError) as e:
        raise RetrievalError(
            f"cannot load embedding model '{model}' (retrieval.embedding_model): {e}"
        ) from e
    # A sentence-transformers model is a sequence of modules: the transformer, then pooling.
    encoder: Any = st[0]
    pooler: Any = st[1]
    pooling = pooler.get_config_dict().get("pooling_mode", "")
    if pooling not in _POOLINGS:
        raise RetrievalError(
            f"embedding model '{model}' pools by '{pooling}'; the onnx and openvino backends "
            f"reproduce {' and '.join(_POOLINGS)} pooling only: set "
            "retrieval.embedding_backend = 'torch'"
        )
    dimension, max_length = st.get_embedding_dimension(), st.max_seq_length
    if dimension is None or max_length is None:
        raise RetrievalError(f"embedding model '{model}' does not say its dimension and length")
    transformer = encoder.auto_model.eval()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        names = ["input_ids", "attention_mask", "token_type_ids"]
        sample = st.tokenizer(
            ["an example", "another example text"], return_tensors="pt", padding=True
        )
        inputs = tuple(sample[n] for n in names if n in sample)
        names = names[: len(inputs)]
        axes = {n: {0: "batch", 1: "tokens"} for n in names}
        with warnings.catch_warnings():
            # The tracer's notes on branches it fixes (mask padding, SDPA's causal flag)
            # hold for every input of an encoder: the outputs match to cosine 1.0000.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _keyword_forward(transformer, names),
                inputs,
                str(work / "model.onnx"),
                input_names=names,
                output_names=["token_embeddings"],
                dynamic_axes={**axes, "token_embeddings": {0: "batch", 1: "tokens"}},
                opset_version=17,
                dynamo=False,
            )
        root = logging.getLogger()  # the quantizer logs advice on the root logger
        level, root.level = root.level, max(root.level, logging.ERROR)
        try:
            quantize_dynamic(
                work / "model.onnx", work / "model.int8.onnx", weight_type=QuantType.QInt8
            )
        finally:
            root.setLevel(level)
        st.tokenizer.backend_tokenizer.save(str(work / "tokenizer.json"))
        meta = {
            "model": model,
            "dimension": int(dimension),
            "max_length": int(max_length),
            "pooling": pooling,
            "inputs": names,
        }
        (work / "export.json").write_text(json.dumps(meta, indent=2))
        try:
            work.rename(folder)
        except OSError:
            if not (folder / "export.json").exists():
                raise
    except Exception as e:
        if isinstance(e, RetrievalError):
            raise
        raise RetrievalError(f"cannot export embedding model '{model}' to ONNX: {e}") from e
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _keyword_forward(transformer: "torch.nn.Module", names: list[str]) -> "torch.nn.Module":
    """The transformer called with keyword inputs, returning only its token embeddings:
    BertModel's positional order differs from the tokenizer's, and ONNX export passes
    inputs positionally."""
    import torch

    class KeywordForward(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.transformer(**dict(zip(names, inputs, strict=True)))[0]

    return KeywordForward()
