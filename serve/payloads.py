"""What the server accepts and returns: request models, limits, and results as JSON.

Limits come from `serve` settings at run time, so they are checked here rather than in the
schemas: an over-long question is a 413 that names the limit and its setting.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from groundgraph.finetune.feedback import Rating
from groundgraph.graph.errors import UsageError
from groundgraph.retrieval.base import Context
from groundgraph.serve.errors import TooLargeError
from groundgraph.serve.settings import ServeSettings
from groundgraph.settings import GeneratorName


class AskRequest(BaseModel):
    """`POST /ask`: a question and how to answer it (unset fields take the settings)."""

    model_config = ConfigDict(extra="forbid")

    question: str
    mode: Literal["local", "global", "auto"] | None = None
    generator: GeneratorName | None = None
    k: int | None = Field(default=None, ge=1)
    strict: bool | None = None
    stream: bool = False
    as_of: date | None = Field(
        default=None, description="answer as of this day: documents dated after it are left out"
    )


# An evaluation asks every question in one request: bounded like any other request's work.
MAX_EVAL_QUESTIONS = 500


class EvalRequest(BaseModel):
    """`POST /eval`: questions with known answers (the lines of an evaluation file)."""

    model_config = ConfigDict(extra="forbid")

    questions: list[dict] = Field(min_length=1, max_length=MAX_EVAL_QUESTIONS)
    generator: GeneratorName | None = None
    k: int = Field(default=5, ge=1, le=100)


class RetrieveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    k: int | None = Field(default=None, ge=1)


class IngestRequest(BaseModel):
    """`POST /ingest` with JSON: files or folders on the server, under `serve.source_roots`."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(min_length=1)


class FeedbackRequest(BaseModel):
    """`POST /feedback`: what a user thought of an answer.

    Attributes:
        answer: the answer text shown; `citations` the citations shown with it (as `/ask`
            returned them).
        correction: the right answer, when the shown one was wrong.
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str = ""
    citations: list[dict] = Field(default_factory=list)
    rating: Rating
    correction: str | None = None


def checked_text(text: str, what: str) -> str:
    """`text`, refused when it cannot be stored or searched: a NUL character, or a lone
    surrogate (JSON can escape one; UTF-8 cannot hold it)."""
    if "\x00" in text:
        raise UsageError(f"{what} contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise UsageError(
            f"{what} is not valid Unicode text (a lone surrogate at character {e.start})"
        ) from e
    return text


def checked_question(question: str, k: int | None, serve: ServeSettings) -> str:
    """The question, refused when empty, over `serve.max_question_chars` or `k` over
    `serve.max_k`."""
    checked_text(question, "the question")
    if not question.strip():
        raise UsageError("the question is empty; ask something")
    if len(question) > serve.max_question_chars:
        raise TooLargeError(
            f"the question is {len(question)} characters; this server accepts at most "
            f"{serve.max_question_chars} (serve.max_question_chars)"
        )
    if k is not None and k > serve.max_k:
        raise UsageError(f"k is {k}; this server retrieves at most {serve.max_k} (serve.max_k)")
    return question


def context_dict(context: Context) -> dict:
    """A retrieval context: chunks with their documents and character spans, the facts and
    the linked entities."""
    return {
        "question": context.question,
        "chunks": [
            {
                "chunk_id": s.chunk.id,
                "document": s.document_uri,
                "title": s.document_title,
                "start": s.chunk.start,
                "end": s.chunk.end,
                "text": s.chunk.text,
                "score": s.score,
                "dense": s.dense,
                "graph": s.graph,
            }
            for s in context.chunks
        ],
        "facts": [
            {
                "source": r.source_id,
                "predicate": r.predicate,
                "target": r.target_id,
                "weight": r.weight,
                "evidence": list(r.evidence),
            }
            for r in context.facts
        ],
        "entities": [
            {"id": e.entity.id, "name": e.entity.name, "type": e.entity.type, "score": e.score}
            for e in context.entities
        ],
        "communities": [
            {"id": c.community.id, "title": c.community.title, "score": c.score}
            for c in context.communities
        ],
    }
