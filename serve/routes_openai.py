"""An OpenAI-compatible chat endpoint, so any chat client can ask groundgraph.

`POST /v1/chat/completions` takes the last user message as the question and replies with the
grounded answer followed by its sources (`[n] document, page 2, characters start–end:
"quote"`, the page, slide or section where the document has them); the
citations also travel as structured data in the response's `citations` field. A streamed
reply sends the verified answer, never the unverified draft: a chat client cannot take back
text it has shown.
"""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from groundgraph.graph.errors import UsageError
from groundgraph.retrieval.base import Answer
from groundgraph.serve.errors import NotFoundError
from groundgraph.serve.payloads import checked_question
from groundgraph.serve.state import ServedStore

MODEL_ID = "groundgraph"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The fields of a chat-completions request that groundgraph reads; the others
    (temperature, max_tokens, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[ChatMessage]
    stream: bool = False


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
        question = checked_question(last_user_message(body.messages), None, serve)
        answer = await asyncio.to_thread(_ask, served, question)
        reply = reply_text(answer)
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        if body.stream:
            chunks = _stream(completion_id, reply, answer, serve.stream_chunk_chars)
            return StreamingResponse(chunks, media_type="text/event-stream")
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": answer.to_dict()["citations"],
        }

    return router


def last_user_message(messages: list[ChatMessage]) -> str:
    """The text of the last user message (string content, or its text parts).

    Raises:
        UsageError: there is no user message with text.
    """
    for message in reversed(messages):
        if message.role != "user":
            continue
        content = message.content
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if p.get("type") == "text")
        if content and content.strip():
            return content
    raise UsageError("no user message with text: the last user message is the question")


def reply_text(answer: Answer) -> str:
    """The answer, then one line per citation: marker, document, span and quote."""
    if not answer.citations:
        return answer.text
    lines = [answer.text, "", "Sources:"]
    lines += [
        f"[{c.marker}] {c.document}, {c.where + ', ' if c.where else ''}"
        f'characters {c.start}–{c.end}: "{c.text}"'
        for c in answer.citations
    ]
    return "\n".join(lines)


def _ask(served: ServedStore, question: str) -> Answer:
    with served.reading() as gg:
        return gg.ask(question)


async def _stream(completion_id: str, reply: str, answer: Answer, size: int) -> AsyncIterator[str]:
    created = int(time.time())

    def chunk(delta: dict, finish: str | None = None, **extra: object) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for start in range(0, len(reply), size):
        yield chunk({"content": reply[start : start + size]})
    yield chunk({}, "stop", citations=answer.to_dict()["citations"])
    yield "data: [DONE]\n\n"
