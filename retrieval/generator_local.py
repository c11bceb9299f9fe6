"""The `local` generator: a Hugging Face causal LM, optionally with a LoRA adapter (the
fine-tune registry's promoted one), answering from numbered evidence with citations.

An answer that cites no passage, or only passages that do not exist, is not grounded: the
caller gets the extractive answer with a note instead.
"""

from groundgraph.retrieval.base import Answer, Citation, Context, Generator
from groundgraph.retrieval.hf_model import LoadedModel, generate, load_with_adapter, render_prompt
from groundgraph.retrieval.prompts import grounded_messages, markers


class LocalGenerator:
    """Answers with a local model; `fallback` answers when the model's answer is unusable.

    Args:
        model: hub name or local path of a causal LM.
        adapter: folder of a PEFT LoRA adapter for that model, or None.
        fallback: the generator used when the model cites nothing valid.
        max_new_tokens: answer budget.
    """

    name = "local"

    def __init__(
        self, model: str, adapter: str | None, fallback: Generator, max_new_tokens: int = 128
    ) -> None:
        self.model = model
        self.adapter = adapter
        self.fallback = fallback
        self.max_new_tokens = max_new_tokens
        self._loaded: LoadedModel | None = None

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            self._loaded = load_with_adapter(self.model, self.adapter)
        return self._loaded

    def generate(self, question: str, context: Context) -> Answer:
        passages = [(c.document_title, c.chunk.text) for c in context.chunks]
        prompt = render_prompt(self.loaded.tokenizer, grounded_messages(question, passages))
        text = generate(self.loaded, prompt, self.max_new_tokens).strip()
        cited = [m for m in markers(text) if 1 <= m <= len(context.chunks)]
        invalid = [m for m in markers(text) if m not in cited]
        notes = [f"removed citation [{m}]: no such evidence passage" for m in invalid]
        if not cited:
            answer = self.fallback.generate(question, context)
            note = f"local model answer {text!r} cites no evidence; extractive answer given"
            return Answer(
                question,
                answer.text,
                answer.citations,
                answer.grounded,
                answer.generator,
                (*notes, note),
            )
        for m in invalid:
            text = text.replace(f"[{m}]", "")
        citations = tuple(
            Citation(
                m,
                context.chunks[m - 1].chunk.id,
                context.chunks[m - 1].document_uri,
                context.chunks[m - 1].chunk.start,
                context.chunks[m - 1].chunk.end,
                context.chunks[m - 1].chunk.text,
                context.chunks[m - 1].score,
            )
            for m in cited
        )
        return Answer(question, " ".join(text.split()), citations, True, self.name, tuple(notes))
