"""The `local` chat model: a Hugging Face causal LM in process (the shipped SmolLM2 by
default), with the fine-tune registry's promoted LoRA adapter merged in when it was trained
on that model, on the GPU when there is one."""

from collections.abc import Sequence
from pathlib import Path

import torch

from groundgraph.retrieval.base import TokenSink
from groundgraph.retrieval.chat_models.hf_model import (
    LoadedModel,
    generate,
    load_with_adapter,
    render_prompt,
)
from groundgraph.retrieval.settings import LocalPrecision


class LocalChat:
    """A `ChatModel` running in process; the model loads on the first answer.

    Args:
        model: hub name, local folder or GGUF file of a causal LM.
        adapter: folder of a PEFT LoRA adapter for that model, or None.
        temperature: 0 decodes greedily; above 0 samples.
        cache: where converted GGUF models are kept.
        precision: `float32`, `bfloat16` or `int8` on the CPU.
        threads: torch threads for the process; None leaves torch's choice.
    """

    name = "local"

    def __init__(
        self,
        model: str,
        adapter: str | None,
        temperature: float = 0.0,
        cache: Path | None = None,
        precision: LocalPrecision = "float32",
        threads: int | None = None,
    ) -> None:
        self.model = model
        self.adapter = adapter
        self.temperature = temperature
        self.cache = cache
        self.precision = precision
        self.threads = threads
        self._loaded: LoadedModel | None = None

    @property
    def description(self) -> str:
        """Which model answers, for the notes of an answer."""
        with_adapter = f" with adapter {self.adapter}" if self.adapter else " (no adapter)"
        return f"local model {self.model}{with_adapter}, {self.precision}"

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            if self.threads:
                torch.set_num_threads(self.threads)
            self._loaded = load_with_adapter(self.model, self.adapter, self.cache, self.precision)
        return self._loaded

    def complete(
        self,
        messages: list[dict[str, str]],
        max_tokens: int,
        stream: TokenSink | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        citations: int = 0,
    ) -> str:
        prompt = render_prompt(self.loaded.tokenizer, messages)
        heat = self.temperature if temperature is None else temperature
        return generate(self.loaded, prompt, max_tokens, heat, stream, stop=stop).strip()
