"""An OpenAI-compatible chat endpoint, so any chat client can ask groundgraph.

`POST /v1/chat/completions` takes the last user message as the question, the earlier turns as
the conversation its pronouns refer to, and the system messages as instructions to a language
model generator (the extractive reader notes that it has no use for them). It replies with the
grounded answer followed by its sources (`[n] document, page 2, characters start–end:
"quote"`, the page, slide or section where the document has them); the citations also travel
as structured data in the response's `citations` field. `max_tokens` (or
`max_completion_tokens`), `temperature` and `stop` bound the model's writing and the reply.

A streamed reply sends a language model's draft token by token as it is written
(`serve.stream_drafts`), then, when verification replaced or changed it, the answer the
documents support, then the sources line by line; an extractive answer is sent sentence by
sentence. The last chunk carries `usage` (and, with `stream_options.include_usage`, a chunk
of its own with no choices, as OpenAI sends it).
"""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from groundgraph.graph.errors import UsageError
from groundgraph.retrieval.base import Answer, Decoding
from groundgraph.serve.chat_replies import (
    ReplyLimit,
    count_tokens,
    earlier_text,
    reply_pieces,
    sentences,
    source_pieces,
)
from groundgraph.serve.errors import NotFoundError, error_response
from groundgraph.serve.payloads import checked_question
from groundgraph.serve.state import ServedStore
from groundgraph.serve.streaming import DraftStream

MODEL_ID = "groundgraph"
MAX_STOP_STRINGS = 4  # as OpenAI allows


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        """String content, or the text parts of a list."""
        content = self.content
        if isinstance(content, list):
            return " ".join(str(p.get("text", "")) for p in content if p.get("type") == "text")
        return content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatRequest(BaseModel):
    """The fields of a chat-completions request that groundgraph reads; others are accepted
    and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    stop: str | list[str] | None = None
    n: int = Field(default=1, ge=1, le=1)

    def decoding(self) -> Decoding:
        stop = [self.stop] if isinstance(self.stop, str) else self.stop or []
        if len(stop) > MAX_STOP_STRINGS:
            raise UsageError(f"'stop' has {len(stop)} strings; at most {MAX_STOP_STRINGS}")
        system = [m.text for m in self.messages if m.role in ("system", "developer")]
        return Decoding(
            max_tokens=self.max_completion_tokens or self.max_tokens,
            temperature=self.temperature,
            stop=tuple(s for s in stop if s),
            instructions="\n".join(t for t in system if t.strip()) or None,
        )


def openai_router(served: ServedStore) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["openai"])
    serve = served.settings.serve

    @router.get("/models")
    def models() -> dict:
        return {
            "object": "list",
            "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "groundgraph"}],
        }

    @router.post("/chat/completions")
    async def chat(body: ChatRequest) -> object:
        if body.model != MODEL_ID:
            raise NotFoundError(
                f"model {body.model!r} does not exist; this server has {MODEL_ID!r}"
            )
        turns = conversation(body.messages)
        checked_question(turns[-1], None, serve)
        decoding = body.decoding()
        reply = Reply(f"chatcmpl-{uuid.uuid4().hex}", body, decoding, turns)
        if body.stream:
            drafts = serve.stream_drafts and served.settings.generator != "extractive"
            return StreamingResponse(
                _streamed(served, reply, drafts), media_type="text/event-stream"
            )
        answer = await asyncio.to_thread(_ask, served, reply, None)
        text = "".join(reply.limit.take(p) for p in reply_pieces(answer))
        return {
            "id": reply.id,
            "object": "chat.completion",
            "created": reply.created,
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": reply.limit.finish_reason,
                }
            ],
            "usage": reply.usage(),
            "citations": answer.to_dict()["citations"],
        }

    return router


def conversation(messages: list[ChatMessage]) -> list[str]:
    """The user and assistant turns up to the last user message with text, which is last.

    Raises:
        UsageError: there is no user message with text.
    """
    for last in range(len(messages) - 1, -1, -1):
        if messages[last].role == "user" and messages[last].text.strip():
            earlier = [
                earlier_text(m.text) if m.role == "assistant" else m.text
                for m in messages[:last]
                if m.role in ("user", "assistant") and m.text.strip()
            ]
            return [*earlier, messages[last].text]
    raise UsageError("no user message with text: the last user message is the question")


class Reply:
    """One chat completion in the making: its id, what the client asked, what was sent."""

    def __init__(self, id: str, body: ChatRequest, decoding: Decoding, turns: list[str]) -> None:
        self.id = id
        self.created = int(time.time())
        self.body = body
        self.decoding = decoding
        self.question, self.earlier = turns[-1], turns[:-1]
        self.limit = ReplyLimit(decoding.stop, decoding.max_tokens)

    def usage(self) -> dict[str, int]:
        asked = [*self.earlier, self.question, self.decoding.instructions or ""]
        prompt = sum(count_tokens(t) for t in asked)
        completion = count_tokens(self.limit.sent)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def chunk(self, delta: dict, finish: str | None = None, **extra: object) -> str:
        """A server-sent chunk with one choice: `delta`, and `finish` on the last."""
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return self.event([choice], **extra)

    def event(self, choices: list[dict], **extra: object) -> str:
        payload = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": MODEL_ID,
            "choices": choices,
            **extra,
        }
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _ask(served: ServedStore, reply: Reply, sink: Callable[[str], None] | None) -> Answer:
    with served.reading() as gg:
        return gg.ask(reply.question, stream=sink, earlier=reply.earlier, decoding=reply.decoding)


async def _streamed(served: ServedStore, reply: Reply, drafts: bool) -> AsyncIterator[str]:
    """Chunks as the answer is written: the draft's tokens (when `drafts`), then what the
    documents support, then the sources; the usage last."""
    answer: DraftStream[Answer] = DraftStream(lambda sink: _ask(served, reply, sink), drafts)
    yield reply.chunk({"role": "assistant", "content": ""})
    draft = []
    async for piece in answer.pieces():
        draft.append(piece)
        if sent := reply.limit.take(piece):
            yield reply.chunk({"content": sent})
    try:
        answered = await answer.result()
    except Exception as e:  # the status line is sent; the error goes in the stream
        yield f"data: {json.dumps(json.loads(bytes(error_response(e).body)))}\n\n"
        yield "data: [DONE]\n\n"
        return
    for piece in _after_draft("".join(draft), answered):
        if sent := reply.limit.take(piece):
            yield reply.chunk({"content": sent})
    citations = answered.to_dict()["citations"]
    usage = reply.usage()
    yield reply.chunk({}, reply.limit.finish_reason, citations=citations, usage=usage)
    if reply.body.stream_options is not None and reply.body.stream_options.include_usage:
        yield reply.event([], usage=usage)
    yield "data: [DONE]\n\n"


def _after_draft(draft: str, answer: Answer) -> list[str]:
    """What follows a streamed draft: nothing of the answer when the draft is it, else the
    answer the documents support; then the sources."""
    sources = list(source_pieces(answer))
    if not draft.strip():
        return [*sentences(answer.text), *sources]
    if " ".join(draft.split()) == " ".join(answer.text.split()):
        return sources
    lead = (
        "\n\nChecked against the documents: "
        if answer.grounded and answer.generator != "extractive"
        else "\n\nThe draft above is not supported by the documents. "
    )
    return [lead, *sentences(answer.text), *sources]
