"""Grounded answers from a language model: numbered evidence in, a verified answer out.

The model (local or behind an OpenAI-compatible server) sees the passages as fenced, numbered
quotations and must cite them. `AnswerVerifier` then checks the draft; a draft that cites
nothing valid, or has a sentence its citations do not support, is replaced by the extractive
answer, and the notes say why. A model server that stays unreachable is treated the same way.
"""

from groundgraph.retrieval.base import (
    Answer,
    ChatModel,
    Context,
    Generator,
    ModelUnavailableError,
    TokenSink,
)
from groundgraph.retrieval.prompts import grounded_messages
from groundgraph.retrieval.verify import AnswerVerifier


class GroundedLLMGenerator:
    """A `Generator` that asks a `ChatModel` and verifies its answer.

    Args:
        chat: the language model.
        verifier: checks citations and per-sentence support.
        fallback: answers when the model's answer fails the check (the extractive generator).
        max_new_tokens: the answer's token budget.
    """

    def __init__(
        self, chat: ChatModel, verifier: AnswerVerifier, fallback: Generator, max_new_tokens: int
    ) -> None:
        self.chat = chat
        self.name = chat.name
        self.verifier = verifier
        self.fallback = fallback
        self.max_new_tokens = max_new_tokens

    def generate(self, question: str, context: Context, stream: TokenSink | None = None) -> Answer:
        if not context.chunks:
            return self._fallback(question, context, ["no evidence was retrieved"])
        messages = grounded_messages(question, _passages(context), _themes(context))
        try:
            draft = self.chat.complete(messages, self.max_new_tokens, stream)
        except ModelUnavailableError as e:
            return self._fallback(question, context, [f"{self.name} model unavailable: {e}"])
        check = self.verifier.verify(question, draft, context)
        if check.grounded:
            return Answer(question, check.text, check.citations, True, self.name, check.notes)
        return self._fallback(
            question, context, [*check.notes, f"{self.name} answer {draft!r} failed verification"]
        )

    def _fallback(self, question: str, context: Context, notes: list[str]) -> Answer:
        answer = self.fallback.generate(question, context)
        note = f"{self.fallback.name} answer given instead"
        return Answer(
            question,
            answer.text,
            answer.citations,
            answer.grounded,
            answer.generator,
            (*notes, *answer.notes, note),
        )


def _passages(context: Context) -> list[tuple[str, str]]:
    return [(c.document_title, c.chunk.text) for c in context.chunks]


def _themes(context: Context) -> list[tuple[str, tuple[int, ...]]]:
    return [
        (ranked.community.summary, tuple(dict.fromkeys(m for m, _, _ in ranked.spans)))
        for ranked in context.communities
    ]
