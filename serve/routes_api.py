"""The REST API: ask, retrieve, browse, write and rate, each one facade verb.

Routes that compute are plain functions, which FastAPI runs on its worker threads, so many
questions are answered at once; `POST /ask` with `stream: true` runs the answer on a thread
and sends its draft and then the verified answer as server-sent events.
"""

import asyncio
import dataclasses
import json
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlparse

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.datastructures import UploadFile

from groundgraph.evaluation import eval_question
from groundgraph.graph.errors import UsageError
from groundgraph.graph.progress import StopCheck
from groundgraph.ingest.base import FileError
from groundgraph.serve.errors import NotFoundError, TooLargeError, error_response
from groundgraph.serve.payloads import (
    AskRequest,
    EvalRequest,
    FeedbackRequest,
    IngestRequest,
    RetrieveRequest,
    checked_question,
    checked_text,
    context_dict,
)
from groundgraph.serve.state import ServedStore
from groundgraph.serve.streaming import DraftStream

T = TypeVar("T")
DISCONNECT_POLL_SECONDS = 0.25  # how soon a write notices its client has gone

_INGEST_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": IngestRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
        }
    }
}


def api_router(served: ServedStore, version: str) -> APIRouter:
    """The REST routes over `served`: status, answers, browsing and writes."""
    router = APIRouter()
    router.include_router(_status_routes(served, version))
    router.include_router(_answer_routes(served))
    router.include_router(_browse_routes(served))
    router.include_router(_write_routes(served))
    return router


def _status_routes(served: ServedStore, version: str) -> APIRouter:
    router = APIRouter()

    @router.get("/health", tags=["status"])
    def health() -> JSONResponse:
        """Whether the server is ready (no token needed): 503 and `loading` while the models
        load at start, then 200 and `ok`."""
        ready = served.ready.is_set()
        body = {
            "status": "ok" if ready else "loading",
            "version": version,
            "read_only": served.read_only,
        }
        return JSONResponse(body, 200 if ready else 503)

    @router.get("/stats", tags=["status"])
    def stats() -> dict:
        """What the store holds, the store version answers are read from, how many
        embedder passes concurrent requests shared (`embedding`: passes, texts, calls), and
        the PageRank graph held in memory (`graph_snapshot`: nodes, matrix bytes, rebuilds;
        null until a question builds it), and how many retrieved chunks answers had to parse
        because the store lacks their sentence layer (`chunks_parsed`: 0 on a store with a
        full layer; `groundgraph check --repair` writes it)."""
        with served.reading() as gg:
            figures = {**gg.stats().to_dict(), "store_version": gg.store.version()}
            snapshot = gg.parts.retriever.snapshot.memory()
            parsed = gg.parts.parses.parsed
        return {
            **figures,
            "embedding": served.sharing(),
            "graph_snapshot": snapshot,
            "chunks_parsed": parsed,
        }

    return router


def _answer_routes(served: ServedStore) -> APIRouter:
    router = APIRouter()
    serve = served.settings.serve

    @router.post("/ask", tags=["answers"])
    async def ask(body: AskRequest) -> object:
        """Answer a question with citations (character spans into the cited documents).
        With `stream: true`: server-sent events, `draft` pieces while a language model
        writes, then `answer` with the verified answer."""
        checked_question(body.question, body.k, serve)
        if body.stream:
            return StreamingResponse(_answer_events(served, body), media_type="text/event-stream")
        return await asyncio.to_thread(_answer, served, body, None)

    @router.post("/eval", tags=["answers"])
    def evaluate(body: EvalRequest) -> dict:
        """Ask questions with known answers and judge the answers, as `groundgraph eval`
        does: each question `{"question", "answers" (null: must abstain), "sources"?,
        "type"?}`; one that cannot be used is in `errors`, the rest are asked. Only reads:
        the run is not kept in the store."""
        questions, errors = [], []
        for number, row in enumerate(body.questions, start=1):
            try:
                questions.append(eval_question(row))
            except ValueError as e:
                errors.append(FileError("request", str(e), number))
        for question in questions:
            checked_question(question.question, body.k, serve)
        with served.reading() as gg:
            report = gg.evaluate(questions, body.generator, body.k, keep=False)
        return dataclasses.replace(report, errors=tuple(errors)).to_dict()

    @router.post("/retrieve", tags=["answers"])
    def retrieve(body: RetrieveRequest) -> dict:
        """The passages, facts and entities that bear on a question, without an answer."""
        checked_question(body.question, body.k, serve)
        with served.reading() as gg:
            return context_dict(gg.retrieve(body.question, body.k))

    return router


def _browse_routes(served: ServedStore) -> APIRouter:
    router = APIRouter()
    serve = served.settings.serve

    @router.get("/documents/{doc_id}", tags=["browse"])
    def document(doc_id: str) -> dict:
        """A document with its chunks and their character spans."""
        with served.reading() as gg:
            view = gg.document(doc_id)
        if view is None:
            raise NotFoundError(f"no document with id {doc_id!r}")
        return view.to_dict()

    @router.get("/entities", tags=["browse"])
    def entities(q: str, limit: int = 10) -> dict:
        """Entities whose name or an alias is nearest `q`."""
        checked_text(q, "the query")
        if not 1 <= limit <= serve.max_k:
            raise UsageError(f"limit must be between 1 and {serve.max_k}")
        with served.reading() as gg:
            matches = gg.search_entities(q, limit)
        return {
            "query": q,
            "entities": [
                {
                    "id": m.entity.id,
                    "name": m.entity.name,
                    "type": m.entity.type,
                    "aliases": list(m.entity.aliases),
                    "mentions": m.entity.mention_count,
                    "score": m.score,
                }
                for m in matches
            ],
        }

    @router.get("/entities/{entity_id}", tags=["browse"])
    def entity(entity_id: str) -> dict:
        """An entity with its neighbours and the chunks that are evidence for it."""
        with served.reading() as gg:
            view = gg.entity(entity_id)
        if view is None:
            raise NotFoundError(f"no entity with id {entity_id!r}")
        return view.to_dict()

    return router


def _write_routes(served: ServedStore) -> APIRouter:
    router = APIRouter()

    @router.post("/ingest", tags=["writes"], openapi_extra=_INGEST_BODY)
    async def ingest(request: Request) -> dict:
        """Ingest files: JSON `{"paths": [...]}` (under `serve.source_roots`) or uploaded
        files (multipart field `files`). Each file gets the checks of `groundgraph ingest`;
        the report lists every file that could not be used, with the reason."""
        served.refuse_if_read_only()
        kind = request.headers.get("content-type", "")
        if kind.startswith("multipart/form-data"):
            paths = await _uploaded(served, request)
        else:
            try:
                body = IngestRequest.model_validate(await request.json())
            except ValueError as e:  # not JSON, not UTF-8, or not {"paths": [...]}
                raise UsageError(
                    f"the body is not {{'paths': [...]}} in JSON ({e}); send that, or upload "
                    "files as multipart field 'files'"
                ) from e
            paths = [served.allowed_path(p) for p in body.paths]
        return await _while_connected(request, lambda stop: _ingest(served, paths, stop))

    @router.post("/refresh", tags=["writes"])
    async def refresh(request: Request) -> dict:
        """Re-read every source ingested before: changed documents update, gone ones go."""

        def refreshed(stop: StopCheck) -> dict:
            with served.writing() as gg:
                return gg.refresh(stop=stop).to_dict()

        return await _while_connected(request, refreshed)

    @router.delete("/documents", tags=["writes"])
    def delete(uri: str) -> dict:
        """Delete a document by URI (and its upload, if it was uploaded)."""
        checked_text(uri, "the URI")
        with served.writing() as gg:
            deleted = gg.delete(uri)
        if not deleted:
            raise NotFoundError(f"no document with URI {uri!r}")
        path = Path(unquote(urlparse(uri).path))
        if uri.startswith("file://") and served.is_upload(path):
            path.unlink(missing_ok=True)
        return {"deleted": uri}

    @router.post("/feedback", tags=["feedback"])
    def feedback(body: FeedbackRequest) -> dict:
        """Rate an answer; a correction becomes a training example of the next monthly
        fine-tune if the documents state it."""
        served.refuse_if_read_only()
        with served.reading() as gg:
            record = gg.parts.feedback.add(
                body.question,
                body.answer,
                body.citations,
                body.rating,
                body.correction,
                gg.store.version(),
            )
        return record.to_dict()

    return router


def _answer(served: ServedStore, body: AskRequest, sink: Callable[[str], None] | None) -> dict:
    with served.reading() as gg:
        answer = gg.ask(
            body.question, body.mode, body.generator, sink, body.strict, body.k, as_of=body.as_of
        )
        return {**answer.to_dict(), "store_version": gg.store.version()}


async def _answer_events(served: ServedStore, body: AskRequest) -> AsyncIterator[str]:
    """`draft` events while the answer is written, then `answer` (or `error`)."""
    answer: DraftStream[dict] = DraftStream(lambda sink: _answer(served, body, sink))
    async for piece in answer.pieces():
        yield _event("draft", {"text": piece})
    try:
        yield _event("answer", await answer.result())
    except Exception as e:  # the status line is sent; the error goes in the stream
        yield _event("error", json.loads(bytes(error_response(e).body)))


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _uploaded(served: ServedStore, request: Request) -> list[Path]:
    limit = served.settings.serve.max_upload_bytes
    form = await request.form(max_part_size=limit)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not files:
        raise UsageError("no files uploaded: send them in the multipart field 'files'")
    paths = []
    for upload in files:
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise TooLargeError(
                f"upload {upload.filename!r} is over {limit} bytes (serve.max_upload_bytes)"
            )
        paths.append(served.upload_path(upload.filename or "", data))
    return paths


async def _while_connected(request: Request, work: Callable[[StopCheck], T]) -> T:
    """`work` on a worker thread, told to stop (at its next file or batch) if the client
    goes away first: a write nobody waits for must not hold the writer lock."""
    gone = threading.Event()
    task = asyncio.ensure_future(asyncio.to_thread(work, gone.is_set))
    while not task.done():
        await asyncio.wait({task}, timeout=DISCONNECT_POLL_SECONDS)
        if not task.done() and await request.is_disconnected():
            gone.set()
    return task.result()


def _ingest(served: ServedStore, paths: list[Path], stop: StopCheck) -> dict:
    with served.writing() as gg:
        report = gg.ingest(paths, stop=stop)
    for failure in report.failed:
        failed = Path(failure.path)
        if served.is_upload(failed):
            failed.unlink(missing_ok=True)
    return report.to_dict()
