"""What a GGUF file holds, read from its header before any runtime loads it.

OpenVINO GenAI builds its model from the file's metadata and reports a file it cannot use
with a C++ exception several lines long, or not at all (a truncated file). The header says in
milliseconds whether the file is whole, which architecture it describes and how its weights
are quantised, so a file the runtime cannot load is refused with one line that names the file,
what is wrong and which runtime to use instead.
"""

import math
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from groundgraph.retrieval.base import ModelError

# What OpenVINO GenAI 2026.4 builds from a GGUF file: its architectures, and the tensor types
# of the quantisations it reads (Q4_0, Q4_1, Q4_K_M, Q6_K, Q8_0) beside plain floats.
OPENVINO_ARCHITECTURES = frozenset({"llama", "qwen2", "qwen3"})
OPENVINO_TENSOR_TYPES = frozenset({"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q4_K", "Q6_K", "Q8_0"})
_INSTEAD = "set answer.local_runtime=transformers to load it with transformers instead"


@dataclass(frozen=True)
class GGUFModel:
    """A GGUF file that OpenVINO GenAI can load.

    Attributes:
        path: the file.
        architecture: `general.architecture` (`llama`, `qwen2`, `qwen3`).
        weights: the quantised weights' types, most common first (`Q4_1`, `Q8_0`): the
            precision an answer's notes report.
    """

    path: Path
    architecture: str
    weights: tuple[str, ...]

    @property
    def precision(self) -> str:
        return "+".join(self.weights) if self.weights else "float"


def inspect_gguf(path: Path) -> GGUFModel:
    """The file's architecture and weight types, or a `ModelError` naming the file and what
    is wrong with it (missing, not GGUF, truncated, an architecture or quantisation that
    OpenVINO does not load)."""
    if not path.is_file():
        raise ModelError(f"GGUF model {path}: no such file")
    try:
        header = _read_header(path)
    except (ValueError, struct.error, UnicodeDecodeError, KeyError) as e:
        reason = "not a GGUF file" if isinstance(e, _NotGGUF) else "truncated or damaged header"
        raise ModelError(f"GGUF model {path}: {reason}") from e
    size = path.stat().st_size
    if not header.tensors or header.data_end > size:
        raise ModelError(
            f"GGUF model {path}: truncated ({size} bytes, its tensors need {header.data_end})"
        )
    architecture = header.architecture
    if architecture not in OPENVINO_ARCHITECTURES:
        raise ModelError(
            f"GGUF model {path}: architecture {architecture!r} is not one OpenVINO GenAI loads "
            f"({', '.join(sorted(OPENVINO_ARCHITECTURES))}); {_INSTEAD}"
        )
    counts = Counter(header.tensors)
    unsupported = sorted(set(counts) - OPENVINO_TENSOR_TYPES)
    if unsupported:
        raise ModelError(
            f"GGUF model {path}: quantisation {', '.join(unsupported)} is not one OpenVINO "
            f"GenAI reads (Q4_0, Q4_1, Q4_K_M, Q6_K, Q8_0, F16, F32); {_INSTEAD}"
        )
    quantised = [t for t, _ in counts.most_common() if t not in ("F32", "F16", "BF16")]
    return GGUFModel(path, architecture, tuple(quantised))


class _NotGGUF(ValueError):
    pass


@dataclass(frozen=True)
class _Header:
    architecture: str
    tensors: list[str]  # each tensor's type name
    data_end: int  # the byte just past the last tensor's data


def _read_header(path: Path) -> _Header:
    """The parts of the header that say what the file holds: a plain reader of the GGUF
    layout (magic, version, counts, key-value metadata, tensor infos). `gguf.GGUFReader`
    builds an array of every vocabulary entry too: 2 s for SmolLM2's 49k tokens, against
    milliseconds here."""
    import gguf

    with path.open("rb") as file:
        head = file.read(_HEADER_BYTES)
    if head[:4] != b"GGUF":
        raise _NotGGUF("magic")
    reader = _Cursor(head, 8)
    tensor_count, kv_count = reader.unpack("<QQ")
    metadata: dict[str, object] = {}
    for _ in range(kv_count):
        key = reader.string()
        metadata[key] = reader.value(reader.unpack("<I")[0])
    infos = []
    for _ in range(tensor_count):
        reader.string()
        dims = reader.unpack(f"<{reader.unpack('<I')[0]}Q")
        kind, offset = reader.unpack("<IQ")
        infos.append((gguf.GGMLQuantizationType(kind), offset, dims))
    alignment = int(str(metadata.get("general.alignment", 32)))
    data_start = -(-reader.at // alignment) * alignment
    ends = []
    for kind, offset, dims in infos:
        block, block_bytes = gguf.GGML_QUANT_SIZES[kind]
        ends.append(data_start + offset + math.prod(dims) // block * block_bytes)
    return _Header(
        str(metadata.get("general.architecture", "")),
        [kind.name for kind, _, _ in infos],
        max(ends, default=0),
    )


# Metadata and tensor infos come first; a vocabulary of 150k tokens fits in a few MB.
_HEADER_BYTES = 64 * 1024 * 1024
# GGUF value types: 0-7 and 10-12 are scalars (struct formats), 8 a string, 9 an array.
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9


class _Cursor:
    def __init__(self, data: bytes, at: int) -> None:
        self.data = data
        self.at = at

    def unpack(self, layout: str) -> tuple:
        values = struct.unpack_from(layout, self.data, self.at)
        self.at += struct.calcsize(layout)
        return values

    def string(self) -> str:
        (length,) = self.unpack("<Q")
        text = self.data[self.at : self.at + length]
        if len(text) < length:
            raise ValueError("header ends inside a string")
        self.at += length
        return text.decode("utf-8")

    def value(self, kind: int) -> object:
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item, count = self.unpack("<IQ")
            if item in _SCALARS:
                return self.unpack(f"<{count}{_SCALARS[item]}")
            return [self.value(item) for _ in range(count)]
        return self.unpack(f"<{_SCALARS[kind]}")[0]
