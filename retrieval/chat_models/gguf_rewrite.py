"""The GGUF file OpenVINO GenAI should load: the file itself, or a copy with some tensors
rewritten, made once in the model cache.

Two things call for a copy:

- **Weights OpenVINO reads lossily.** It stores 4-bit weights as u4 values with a u4 zero
  point per block, but Q4_1 and Q4_K blocks carry a real-valued minimum: rounding it to a u4
  zero point moved the shipped SmolLM2's weights by 8.2 % (relative L2 error, measured on a
  layer), and on 40 2Wiki prompts its answers agreed with transformers' on the same file for 1
  in 40 and were right for 6 against 11. Requantised to Q8_0 (from the exactly dequantised
  weights) or stored as F16, they agreed for 30 and 40 of 40, right for 11 (`bench/local_llm.py`).
- **A promoted LoRA adapter.** OpenVINO applies adapters by the names of the weights they
  change, and the model it builds from a GGUF file has unnamed weights (every tensor of a PEFT
  adapter is reported unused; the output does not change). The update B·A·alpha/r is merged
  into each adapted weight instead, in the row order llama.cpp stores query and key weights in.

All metadata and the other tensors are copied as they are; the base file is never changed, so
answering without the adapter is loading the base file again.
"""

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from groundgraph.retrieval.base import ModelError

if TYPE_CHECKING:
    import gguf

GGUFWeights = Literal["file", "q8_0", "f16"]
# Block formats with a real-valued minimum, which OpenVINO rounds to a u4 zero point.
LOSSY_IN_OPENVINO = frozenset({"Q4_1", "Q4_K"})
# A PEFT module name inside a decoder layer → the GGUF tensor of that weight (llama layout).
_GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_ADAPTER_WEIGHTS = "adapter_model.safetensors"
_ADAPTER_CONFIG = "adapter_config.json"


def prepared_gguf(
    base: Path,
    weight_types: tuple[str, ...],
    weights: GGUFWeights,
    adapter: Path | None,
    cache: Path,
) -> Path:
    """`base`, or its copy in `cache` with the lossy weight types (of `weight_types`, the
    file's) stored as `weights` and the LoRA adapter in folder `adapter` merged in."""
    lossy = weights != "file" and bool(LOSSY_IN_OPENVINO & set(weight_types))
    if adapter is None and not lossy:
        return base
    files = None if adapter is None else _adapter_files(adapter)
    parts = [base, *(files or ())]
    stamp = "|".join(f"{p.resolve()}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in parts)
    key = hashlib.sha256(f"{stamp}|{weights}".encode()).hexdigest()[:12]
    label = f"{weights}-lora" if adapter is not None else weights
    target = cache / f"{base.stem}-{label}-{key}.gguf"
    if target.is_file():
        return target
    deltas = {} if files is None else _deltas(*files)
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        _rewrite(base, deltas, weights if lossy else "file", partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _adapter_files(adapter: Path) -> tuple[Path, Path]:
    weights, config = adapter / _ADAPTER_WEIGHTS, adapter / _ADAPTER_CONFIG
    if not weights.is_file() or not config.is_file():
        raise ModelError(f"adapter {adapter}: no {_ADAPTER_WEIGHTS} and {_ADAPTER_CONFIG} in it")
    return weights, config


def _deltas(weights: Path, config_file: Path) -> dict[str, np.ndarray]:
    """Each adapted weight's update, by the name of its tensor in the GGUF file, in float32
    (out_features, in_features)."""
    from safetensors.numpy import load_file

    config = json.loads(config_file.read_text(encoding="utf-8"))
    tensors = load_file(str(weights))
    rank = int(config["r"])
    alpha = float(config.get("lora_alpha", rank))
    scale = alpha / (rank**0.5 if config.get("use_rslora") else rank)
    found: dict[str, np.ndarray] = {}
    for name, a in tensors.items():
        if ".lora_A." not in name:
            continue
        module = name.split(".lora_A.")[0]
        b = tensors[name.replace(".lora_A.", ".lora_B.")]
        found[_gguf_name(module)] = (b.astype(np.float32) @ a.astype(np.float32)) * scale
    if not found:
        raise ModelError(f"adapter {weights.parent}: it holds no LoRA weights")
    return found


def _gguf_name(module: str) -> str:
    """`base_model.model.model.layers.3.mlp.down_proj` → `blk.3.ffn_down.weight`."""
    _, _, rest = module.partition(".layers.")
    layer, _, inner = rest.partition(".")
    if not layer.isdigit() or inner not in _GGUF_NAMES:
        raise ModelError(
            f"adapter module {module} is not a decoder layer's projection that can be merged "
            "into a GGUF file; set answer.local_runtime=transformers to answer with it"
        )
    return f"blk.{layer}.{_GGUF_NAMES[inner]}.weight"


def _rewrite(base: Path, deltas: dict[str, np.ndarray], weights: GGUFWeights, target: Path) -> None:
    import gguf

    reader = gguf.GGUFReader(str(base))
    architecture = str(reader.fields["general.architecture"].contents())
    heads = int(reader.fields[f"{architecture}.attention.head_count"].contents())
    kv_heads = int(reader.fields[f"{architecture}.attention.head_count_kv"].contents())
    writer = gguf.GGUFWriter(str(target), architecture)
    for field in reader.fields.values():
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), kind, sub_type=sub)
    merged = set()
    for tensor in reader.tensors:
        update = deltas.get(tensor.name)
        lossy = weights != "file" and tensor.tensor_type.name in LOSSY_IN_OPENVINO
        if update is None and not lossy:
            writer.add_tensor(tensor.name, tensor.data, raw_dtype=tensor.tensor_type)
            continue
        weight = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        if update is not None:
            heads_of = heads if ".attn_q." in tensor.name else kv_heads
            rope = ".attn_q." in tensor.name or ".attn_k." in tensor.name
            weight = weight.reshape(update.shape) + (
                _rope_layout(update, heads_of) if rope else update
            )
            merged.add(tensor.name)
        _add_weight(writer, tensor.name, weight, weights)
    if missing := sorted(set(deltas) - merged):
        raise ModelError(f"adapter weights {missing[:3]} have no tensor in {base}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _add_weight(
    writer: "gguf.GGUFWriter", name: str, weight: np.ndarray, weights: GGUFWeights
) -> None:
    """A rewritten weight as F16, or as Q8_0 (also where the file's own format is kept: an
    adapted weight is not requantised to 4 bits)."""
    import gguf

    if weights == "f16":
        writer.add_tensor(name, weight.astype(np.float16))
        return
    q8 = gguf.GGMLQuantizationType.Q8_0
    writer.add_tensor(name, gguf.quants.quantize(weight, q8), raw_dtype=q8)


def _rope_layout(weight: np.ndarray, heads: int) -> np.ndarray:
    """A query or key update in the row order llama.cpp stores those weights in (each head's
    rotary halves interleaved), as its converter permutes the base weights."""
    rows = weight.shape[0]
    return (
        weight.reshape(heads, 2, rows // heads // 2, *weight.shape[1:])
        .swapaxes(1, 2)
        .reshape(weight.shape)
    )
