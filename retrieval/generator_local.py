"""The `local` chat model: a Hugging Face causal LM by hub name or path, optionally with a
LoRA adapter (the fine-tune registry's promoted one), on the GPU when there is one."""

from groundgraph.retrieval.base import TokenSink
from groundgraph.retrieval.hf_model import LoadedModel, generate, load_with_adapter, render_prompt


class LocalChat:
    """A `ChatModel` running in process; the model loads on the first answer.

    Args:
        model: hub name or local path of a causal LM.
        adapter: folder of a PEFT LoRA adapter for that model, or None.
        temperature: 0 decodes greedily; above 0 samples.
    """

    name = "local"

    def __init__(self, model: str, adapter: str | None, temperature: float = 0.0) -> None:
        self.model = model
        self.adapter = adapter
        self.temperature = temperature
        self._loaded: LoadedModel | None = None

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            self._loaded = load_with_adapter(self.model, self.adapter)
        return self._loaded

    def complete(
        self, messages: list[dict[str, str]], max_tokens: int, stream: TokenSink | None = None
    ) -> str:
        prompt = render_prompt(self.loaded.tokenizer, messages)
        return generate(self.loaded, prompt, max_tokens, self.temperature, stream).strip()
