"""Grounded answers from a language model: numbered evidence in, a verified answer out.

The model (local or behind an OpenAI-compatible server) sees the passages as fenced, numbered
quotations and is asked to cite them. `AnswerVerifier` then checks the draft, attributing any
claim the model left uncited to the evidence sentence that supports it; a draft with a claim
the evidence does not support is replaced by the extractive answer, and the notes say why. A
model server that stays unreachable is treated the same way. A supported draft is grounded only
when it states the value the evidence gives in the role the question asks about (the value the
extractive reader binds to the question's terms); otherwise the extractive answer is given,
which abstains when no such value is stated. The notes always say which model (and adapter)
wrote the draft.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from groundgraph.ingest.resolution import normalise
from groundgraph.retrieval.answering.extractive import ExtractiveGenerator
from groundgraph.retrieval.answering.prompts import grounded_messages, strip_markers
from groundgraph.retrieval.answering.verify import AnswerVerifier
from groundgraph.retrieval.base import (
    Answer,
    ChatModel,
    Context,
    Decoding,
    GenerationError,
    ModelUnavailableError,
    TokenSink,
)

SHORT_ANSWER_WORDS = 8
# Model calls run here, so the caller reads the evidence meanwhile (a server's 64 request
# threads each wait on at most one).
_DRAFTS = ThreadPoolExecutor(max_workers=64, thread_name_prefix="draft")


class GroundedLLMGenerator:
    """A `Generator` that asks a `ChatModel` and verifies its answer.

    Args:
        chat: the language model.
        verifier: checks citations and per-sentence support.
        fallback: answers when the model's answer fails the check, and says which values the
            evidence states in the asked role (the extractive generator).
        max_new_tokens: the answer's token budget.
        passages: the best passages of a local question the model sees (a small model
            answers better from three than from five: fewer distractors, a shorter prompt).
        strict: raise `GenerationError` instead of giving the extractive answer, so a
            scheduled job can tell an outage or a rejected answer from an answer.
    """

    def __init__(
        self,
        chat: ChatModel,
        verifier: AnswerVerifier,
        fallback: ExtractiveGenerator,
        max_new_tokens: int,
        passages: int = 3,
        strict: bool = False,
    ) -> None:
        self.chat = chat
        self.name = chat.name
        self.verifier = verifier
        self.fallback = fallback
        self.max_new_tokens = max_new_tokens
        self.passages = passages
        self.strict = strict

    def generate(
        self,
        question: str,
        context: Context,
        stream: TokenSink | None = None,
        decoding: Decoding | None = None,
    ) -> Answer:
        asked = decoding or Decoding()
        if not context.chunks:
            return self._fallback(question, context, ["no evidence was retrieved"])
        shown = (
            context
            if context.communities
            else replace(context, chunks=context.chunks[: self.passages])
        )
        flagged = [n for n, c in enumerate(shown.chunks, start=1) if c.instructions]
        messages = grounded_messages(
            question, _passages(shown), _themes(shown), flagged, asked.instructions
        )
        budget = asked.max_tokens or self.max_new_tokens
        drafting = _DRAFTS.submit(
            self.chat.complete,
            messages,
            budget,
            stream,
            asked.temperature,
            asked.stop,
            len(shown.chunks),
        )
        # What the evidence states in the asked role is read while the model writes: the
        # check of a supported draft needs it, and so does the answer given instead of one.
        stated = None if context.communities else self.fallback.stated_values(question, context)
        try:
            raw = drafting.result()
        except ModelUnavailableError as e:
            if self.strict:
                raise ModelUnavailableError(f"the {self.name} model is unavailable: {e}") from e
            return self._fallback(
                question, context, [f"{self.name} model unavailable: {e}"], stated
            )
        draft, trimmed = finished_part(raw)
        check = self.verifier.verify(question, draft, shown)
        written = f"draft by {self.chat.description}"
        if trimmed:
            written += "; its unfinished last sentence was dropped"
        if flagged:
            written += (
                f"; passages {flagged} hold text addressed to an assistant (a prompt "
                "injection?): it was quoted as data and supports nothing"
            )
        if not check.grounded:
            return self._fallback(
                question,
                context,
                [written, *check.notes, f"{self.name} answer {draft!r} failed verification"],
                stated,
            )
        if stated is None:
            short = _short_answer(draft)
        else:
            bound, values = stated
            said = [v for v in values if _states(draft, v)]
            if not said:
                return self._in_role_fallback(question, bound, [written, *check.notes], draft)
            short = said[0] if bound.short not in said else bound.short
        return Answer(
            question,
            check.text,
            check.citations,
            True,
            self.name,
            (written, *check.notes),
            short=short,
        )

    def _in_role_fallback(
        self, question: str, bound: Answer, notes: list[str], draft: str
    ) -> Answer:
        """The model's supported draft does not state the value the evidence states in the
        asked role (or the evidence states none): the extractive answer, which says so."""
        why = (
            f"{self.name} answer {draft!r} does not state {bound.short!r}, the value the "
            "evidence gives in the role the question asks about"
            if bound.grounded
            else f"{self.name} answer {draft!r}: the evidence states no value in the role the "
            "question asks about"
        )
        if self.strict:
            raise GenerationError(f"the {self.name} model gave no verified answer: {why}")
        note = f"{self.fallback.name} answer given instead"
        return replace(bound, notes=(*notes, why, *bound.notes, note))

    def _fallback(
        self,
        question: str,
        context: Context,
        notes: list[str],
        stated: tuple[Answer, frozenset[str]] | None = None,
    ) -> Answer:
        if self.strict:
            raise GenerationError(
                f"the {self.name} model gave no verified answer: " + "; ".join(notes)
            )
        answer = stated[0] if stated is not None else self.fallback.generate(question, context)
        note = f"{self.fallback.name} answer given instead"
        return Answer(
            question,
            answer.text,
            answer.citations,
            answer.grounded,
            answer.generator,
            (*notes, *answer.notes, note),
            short=answer.short,
        )


_SENTENCE_END = re.compile(r"[.!?](\s*\[\d+\])*[\"')\]]*$")
_LAST_END = re.compile(r"^(.*[.!?](?:\s*\[\d+\])*)\s", re.DOTALL)


def finished_part(draft: str) -> tuple[str, bool]:
    """The draft up to its first blank line, without a last sentence the token budget cut
    off; and whether anything was dropped. Small models run on, then stop mid-sentence."""
    text = draft.strip().split("\n\n", 1)[0].strip()
    if _SENTENCE_END.search(text) or text.endswith("]"):
        return text, text != draft.strip()
    complete = _LAST_END.match(text)
    return (complete.group(1).strip(), True) if complete else (text, text != draft.strip())


def _states(draft: str, value: str) -> bool:
    """Whether the draft says the value ("£21,000" and "21,000 pounds" agree)."""
    said = f" {normalise(strip_markers(draft))} "
    return f" {normalise(value)} " in said


def _short_answer(draft: str) -> str | None:
    """The draft itself when it is a short answer ("Howard Aiken [2]")."""
    text = strip_markers(draft).strip().rstrip(".")
    return text if text and len(text.split()) <= SHORT_ANSWER_WORDS else None


def _passages(context: Context) -> list[tuple[str, str]]:
    return [(c.document_title, c.chunk.text) for c in context.chunks]


def _themes(context: Context) -> list[tuple[str, tuple[int, ...]]]:
    return [
        (ranked.community.summary, tuple(dict.fromkeys(m for m, _, _ in ranked.spans)))
        for ranked in context.communities
    ]
