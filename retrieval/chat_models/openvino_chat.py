"""The `local` chat model on OpenVINO GenAI: a GGUF file (or an OpenVINO IR folder) loaded
without conversion (the block formats OpenVINO reads lossily requantised once, see
`gguf_rewrite`), with the concurrent questions generated together in one continuous batch.

One `ContinuousBatchingPipeline` serves the process: each `complete` call queues a request
and waits; one thread generates the queued requests together, so the questions of a server's
threads share forward passes over a paged KV cache instead of taking turns. The pipeline is
only ever touched from that thread.

Answers are the same on every CPU: OpenVINO computes in bfloat16 where the CPU has it and
quantises activations to int8 on the fly by default; `float32` (the default precision) turns
both off and keeps the KV cache in float32. Where the caller names the passages a reply may
cite, the reply is constrained to one sentence ending with one of their markers, or the
refusal (`cited_answer_pattern`).
"""

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundgraph.retrieval.answering.prompts import (
    cited_answer_pattern,
    markers_before_stops,
    plain_chat_prompt,
)
from groundgraph.retrieval.base import ModelError, TokenSink
from groundgraph.retrieval.chat_models.gguf_files import GGUFModel, inspect_gguf
from groundgraph.retrieval.chat_models.gguf_rewrite import GGUFWeights, prepared_gguf
from groundgraph.retrieval.chat_models.model_sources import default_model_cache, openvino_source
from groundgraph.retrieval.chat_models.reply_text import STOP_AT, cut_at
from groundgraph.retrieval.settings import LocalPrecision

# KV cache of the continuous batch, in GB: SmolLM2-135M keeps 46 kB a token in float32, so
# 1 GB holds eight 2,500-token questions at once.
KV_CACHE_GB = 1
# OpenVINO CPU properties per precision. float32 is the same on every x86-64 CPU; bfloat16
# is native where the CPU has it (AMX, AVX512-BF16) and float32 elsewhere; int8 quantises
# activations on the fly (where the CPU has VNNI) and the KV cache to u8.
_PROPERTIES: dict[str, dict[str, str]] = {
    "float32": {
        "INFERENCE_PRECISION_HINT": "f32",
        "DYNAMIC_QUANTIZATION_GROUP_SIZE": "0",
        "KV_CACHE_PRECISION": "f32",
    },
    "bfloat16": {"INFERENCE_PRECISION_HINT": "bf16", "DYNAMIC_QUANTIZATION_GROUP_SIZE": "0"},
    "int8": {"INFERENCE_PRECISION_HINT": "f32", "DYNAMIC_QUANTIZATION_GROUP_SIZE": "32"},
}


@dataclass
class _Request:
    """One reply being written: filled in by the generating thread, awaited by its caller."""

    prompt: str
    config: Any
    sink: TokenSink | None
    done: threading.Event = field(default_factory=threading.Event)
    text: str = ""
    error: str | None = None


class _Batcher:
    """Generates for every request of the process on one thread, in rounds: each round takes
    every request queued since the last began and generates them as one continuous batch.

    The pipeline's `generate` lets go of Python's GIL while it computes. Stepping it request
    by request (`add_request`/`step`) holds the GIL through each step: a server's other
    threads (retrieval, spaCy, the verifier) then crawled, and 8 clients got 0.4 answers/s
    against 0.5 for one at a time.
    """

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.tokenizer = pipeline.get_tokenizer()
        self._waiting: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="openvino-batch", daemon=True).start()

    def submit(self, request: _Request) -> None:
        self._waiting.put(request)

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while True:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self._generate(batch)

    def _generate(self, batch: list[_Request]) -> None:
        # The pipeline streams one reply at a time; in a larger batch a reader gets its
        # reply whole when it is done.
        alone = batch[0] if len(batch) == 1 and batch[0].sink is not None else None
        try:
            results = self.pipeline.generate(
                [r.prompt for r in batch],
                [r.config for r in batch],
                _streamer(alone) if alone is not None else None,
            )
        except Exception as e:  # the pipeline's C++ errors: every reply of the round fails
            for request in batch:
                _finish(request, f"generation failed: {_first_line(e)}")
            return
        for request, result in zip(batch, results, strict=True):
            texts = result.m_generation_ids
            request.text = str(texts[0]) if texts else ""
            if request is not alone and request.sink is not None and request.text:
                try:
                    request.sink(request.text)
                except Exception as e:  # the reader went away
                    _finish(request, f"the reply's reader failed: {e}")
                    continue
            _finish(request, request.error)


def _streamer(request: _Request) -> Callable[[str], Any]:
    """Hands the request's text to its reader as it is written; stops if the reader fails."""
    import openvino_genai as og

    def stream(piece: str) -> Any:
        try:
            request.sink(piece)  # type: ignore[misc]
        except Exception as e:
            request.error = f"the reply's reader failed: {e}"
            return og.StreamingStatus.CANCEL
        return og.StreamingStatus.RUNNING

    return stream


def _finish(request: _Request, error: str | None) -> None:
    request.error = error
    request.done.set()


class OpenVINOChat:
    """A `ChatModel` on OpenVINO GenAI; the model loads on the first reply.

    Args:
        model: the shipped model's hub name, a `.gguf` file (local or `owner/repo/file.gguf`
            on the hub) or an OpenVINO IR folder.
        adapter: folder of a PEFT LoRA adapter for a GGUF model, merged into a copy of the
            file in `cache` (once), or None.
        cache: where rewritten GGUF files are kept; None is the model cache.
        weights: `file` runs a GGUF file's weights as they are; `q8_0` or `f16` first
            rewrites the block formats OpenVINO reads lossily (Q4_1, Q4_K) into a copy.
        temperature: 0 decodes greedily; above 0 samples.
        precision: `float32` (the same answers on every CPU), `bfloat16` or `int8`
            activations; the weights are as `weights` says.
        threads: inference threads; None is one per core.
        constrained: write a reply that may cite passages as one sentence ending with a
            marker of one of them (or the refusal), enforced while decoding.
    """

    name = "local"

    def __init__(
        self,
        model: str,
        temperature: float = 0.0,
        precision: LocalPrecision = "float32",
        threads: int | None = None,
        constrained: bool = True,
        adapter: str | None = None,
        cache: Path | None = None,
        weights: GGUFWeights = "q8_0",
    ) -> None:
        self.model = model
        self.adapter = adapter
        self.cache = cache
        self.weights = weights
        self.temperature = temperature
        self.precision = precision
        self.threads = threads
        self.constrained = constrained
        self._batcher: _Batcher | None = None
        self._file: GGUFModel | None = None  # the configured file
        self._gguf: GGUFModel | None = None  # the file loaded: it, or its rewritten copy
        self._loading = threading.Lock()

    @property
    def description(self) -> str:
        """Which model answers, on what, in which precision: for the notes of an answer."""
        weights = "IR weights"
        if self._gguf is not None:
            weights = f"{self._gguf.precision} weights"
            if self._file is not None and self._file.weights != self._gguf.weights:
                weights += f" from {self._file.precision}"
        adapted = f" with adapter {self.adapter} merged in" if self.adapter else ""
        return f"local model {self.model}{adapted} on OpenVINO GenAI ({weights}, {self.precision})"

    @property
    def batcher(self) -> _Batcher:
        with self._loading:
            if self._batcher is None:
                self._batcher = _Batcher(self._load())
        return self._batcher

    def _load(self) -> Any:
        source = openvino_source(self.model)
        if source.suffix == ".gguf":
            self._file = inspect_gguf(source)
            adapter = Path(self.adapter) if self.adapter else None
            cache = self.cache or default_model_cache()
            prepared = prepared_gguf(source, self._file.weights, self.weights, adapter, cache)
            self._gguf = self._file if prepared == source else inspect_gguf(prepared)
            source = prepared
        elif self.adapter is not None:
            raise ModelError(
                f"adapter {self.adapter}: OpenVINO merges adapters into GGUF files only"
            )
        import openvino_genai as og

        scheduler = og.SchedulerConfig()
        scheduler.cache_size = KV_CACHE_GB
        properties: dict[str, Any] = dict(_PROPERTIES[self.precision])
        if self.threads:
            properties["INFERENCE_NUM_THREADS"] = self.threads
        try:
            return og.ContinuousBatchingPipeline(str(source), scheduler, "CPU", properties)
        except RuntimeError as e:
            raise ModelError(
                f"OpenVINO GenAI cannot load {source}: {_first_line(e)}; set "
                "answer.local_runtime=transformers to load it with transformers instead"
            ) from e

    def complete(
        self,
        messages: list[dict[str, str]],
        max_tokens: int,
        stream: TokenSink | None = None,
        temperature: float | None = None,
        stop: Sequence[str] = (),
        citations: int = 0,
    ) -> str:
        batcher = self.batcher
        constrain = self.constrained and citations > 0
        config = self._config(batcher, max_tokens, temperature, stop, citations if constrain else 0)
        request = _Request(_prompt(batcher.tokenizer, messages), config, stream)
        batcher.submit(request)
        request.done.wait()
        if request.error is not None:
            raise ModelError(f"the local model on OpenVINO GenAI: {request.error}")
        text = cut_at(request.text, [STOP_AT, *stop]).strip()
        return markers_before_stops(text) if constrain else text

    def _config(
        self,
        batcher: _Batcher,
        max_tokens: int,
        temperature: float | None,
        stop: Sequence[str],
        citations: int,
    ) -> Any:
        import openvino_genai as og

        config = batcher.pipeline.get_config()
        config.max_new_tokens = max_tokens
        config.apply_chat_template = False
        config.stop_strings = {STOP_AT, *(s for s in stop if s)}
        config.include_stop_str_in_output = False
        heat = self.temperature if temperature is None else temperature
        config.do_sample = heat > 0
        if heat > 0:
            config.temperature = heat
        if citations:
            constraint = og.StructuredOutputConfig()
            constraint.regex = cited_answer_pattern(citations)
            config.structured_output_config = constraint
        return config


def _prompt(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    """Messages as the model's chat template writes them (the one in the GGUF file), ending
    where the answer begins; a plain template for models without one."""
    if tokenizer.chat_template:
        import openvino_genai as og

        return str(
            tokenizer.apply_chat_template(og.ChatHistory(messages), add_generation_prompt=True)
        )
    return plain_chat_prompt(messages)


def _first_line(error: BaseException) -> str:
    """The first meaningful line of a C++ exception's text (the rest is a stack of files)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith(("Exception from", "Check "))]
    return (meaningful or lines or [type(error).__name__])[0][:300]
