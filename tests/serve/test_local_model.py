"""`groundgraph serve` with the local model on OpenVINO GenAI: loaded before the server says
it is ready, and one model (one continuous batch) for the questions of every store version."""

import threading
from collections.abc import Callable

import httpx

from groundgraph.retrieval.chat_models.openvino_chat import OpenVINOChat
from tests.uvicorn_server import Server

QUESTIONS = (
    "Who discovered polonium?",
    "Where was Marie Curie born?",
    "Who was Pierre Curie?",
    "When was polonium discovered?",
)


def test_a_server_loads_the_local_model_before_ready_and_batches_every_version(
    start_server: Callable[..., Server],
) -> None:
    server = start_server(settings={"generator": "local"})
    models = server.served.chat_models
    [chat] = models.values()  # preloaded before /health said ok
    assert isinstance(chat, OpenVINOChat) and chat._batcher is not None
    replies: list[httpx.Response] = []

    def ask(question: str) -> None:
        replies.append(httpx.post(f"{server.url}/ask", json={"question": question}, timeout=120))

    threads = [threading.Thread(target=ask, args=(q,)) for q in QUESTIONS]
    for t in threads:
        t.start()
    upload = {"files": ("note.md", b"# Note\n\nIris Vale chairs the board.\n", "text/markdown")}
    stored = httpx.post(f"{server.url}/ingest", files=upload, timeout=120)
    for t in threads:
        t.join(timeout=120)
    assert stored.status_code == 200 and len(replies) == len(QUESTIONS)
    assert all(r.status_code == 200 and r.json()["citations"] for r in replies)
    after = httpx.post(f"{server.url}/ask", json={"question": "Who chairs the board?"}, timeout=120)
    assert after.status_code == 200
    assert list(server.served.chat_models.values()) == [chat]  # the new version reused it
    [uri] = stored.json()["added_documents"]
    assert httpx.delete(f"{server.url}/documents", params={"uri": uri}, timeout=60).is_success
