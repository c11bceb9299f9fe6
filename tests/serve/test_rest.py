"""The REST API over a real uvicorn server, called with httpx."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn

from groundgraph.graph.ids import document_id
from groundgraph.graph.lock import write_lock
from groundgraph.serve.app import create_app
from groundgraph.serve.settings import ServeSettings
from groundgraph.serve.state import ServedStore
from groundgraph.settings import Settings
from tests.uvicorn_server import free_port

QUESTION = "Who discovered polonium?"
NEW_DOCUMENT = (
    "# Hevesy\n\nGeorge de Hevesy discovered hafnium in Copenhagen in 1923. "
    "Hevesy later received the Nobel Prize in Chemistry.\n"
)


def error_of(response: httpx.Response) -> str:
    return response.json()["error"]["message"]


def test_health_stats_and_openapi_docs(server) -> None:
    assert httpx.get(f"{server.url}/health").json()["status"] == "ok"
    stats = httpx.get(f"{server.url}/stats").json()
    assert stats["documents"] == 5 and stats["chunk_vectors"] == stats["chunks"] > 0
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/ask", "/retrieve", "/ingest", "/v1/chat/completions"} <= set(schema["paths"])
    assert httpx.get(f"{server.url}/docs").status_code == 200


def test_eval_judges_questions_and_names_the_unusable_one(server) -> None:
    questions = [
        {"question": QUESTION, "answers": ["Marie Curie", "Pierre Curie"], "type": "who"},
        {"question": "no answers field"},
        {"question": "What is the capital of Atlantis?", "answers": None},
    ]
    response = httpx.post(f"{server.url}/eval", json={"questions": questions}, timeout=120)
    assert response.status_code == 200, response.text
    report = response.json()
    assert [q["correct"] for q in report["questions"]] == [True, True]
    assert report["totals"]["all"]["abstained_when_unanswerable"] == 1.0
    [error] = report["errors"]
    assert error["line"] == 2 and "'answers' is missing" in error["reason"]
    assert not (server.store / "evaluations").exists()  # the server only reads


def test_an_answer_cites_spans_of_stored_chunks(server) -> None:
    answer = httpx.post(f"{server.url}/ask", json={"question": QUESTION}, timeout=60).json()
    assert "Curie" in answer["answer"] and answer["grounded"]
    linked = {"question": "Where was Marie Curie born?"}  # names an entity: the walk runs
    assert httpx.post(f"{server.url}/retrieve", json=linked, timeout=60).status_code == 200
    snapshot = httpx.get(f"{server.url}/stats").json()["graph_snapshot"]
    assert snapshot["nodes"] > 5 and snapshot["matrix_bytes"] > 0 and snapshot["rebuilds"] >= 1
    assert answer["citations"]
    for citation in answer["citations"]:
        document = httpx.get(f"{server.url}/documents/{citation['document_id']}").json()
        assert document["uri"] == citation["document"]
        [chunk] = [c for c in document["chunks"] if c["id"] == citation["chunk_id"]]
        assert chunk["start"] <= citation["start"] < citation["end"] <= chunk["end"]
        offset = citation["start"] - chunk["start"]
        assert chunk["text"][offset : offset + len(citation["text"])] == citation["text"]


def test_a_streamed_answer_ends_with_the_verified_answer(server) -> None:
    events = []
    with httpx.stream(
        "POST", f"{server.url}/ask", json={"question": QUESTION, "stream": True}, timeout=60
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    assert events[-1][0] == "answer"
    plain = httpx.post(f"{server.url}/ask", json={"question": QUESTION}, timeout=60).json()
    assert events[-1][1]["answer"] == plain["answer"]


def test_retrieve_and_browse_entities(server) -> None:
    context = httpx.post(f"{server.url}/retrieve", json={"question": QUESTION, "k": 3}).json()
    assert len(context["chunks"]) == 3 and context["chunks"][0]["document"].startswith("file://")
    found = httpx.get(f"{server.url}/entities", params={"q": "Marie Curie"}).json()["entities"]
    assert found[0]["name"] == "Marie Curie" and found[0]["score"] == 1.0
    entity = httpx.get(f"{server.url}/entities/{found[0]['id']}").json()
    assert entity["neighbours"] and entity["evidence"]
    assert all("Curie" in e["text"] for e in entity["evidence"])


def test_upload_then_ask_then_delete(server) -> None:
    files = {"files": ("hevesy.md", NEW_DOCUMENT.encode(), "text/markdown")}
    report = httpx.post(f"{server.url}/ingest", files=files, timeout=120).json()
    assert report["added"] == 1 and report["failed"] == 0
    [uri] = report["added_documents"]
    try:
        answer = httpx.post(
            f"{server.url}/ask", json={"question": "Who discovered hafnium?"}, timeout=60
        ).json()
        assert "Hevesy" in answer["answer"]
        assert any(c["document"] == uri for c in answer["citations"])
        assert httpx.get(f"{server.url}/stats").json()["documents"] == 6
    finally:
        deleted = httpx.request("DELETE", f"{server.url}/documents", params={"uri": uri})
    assert deleted.status_code == 200
    assert httpx.get(f"{server.url}/stats").json()["documents"] == 5
    again = httpx.request("DELETE", f"{server.url}/documents", params={"uri": uri})
    assert again.status_code == 404 and uri in error_of(again)


def test_an_upload_gets_the_checks_of_ingest(server) -> None:
    files = [
        ("files", ("broken.json", b'{"title": "x", ', "application/json")),
        ("files", ("notes.xyz", b"plain", "application/octet-stream")),
    ]
    report = httpx.post(f"{server.url}/ingest", files=files, timeout=120).json()
    reasons = {e["path"].rsplit("/", 1)[-1]: e["reason"] for e in report["errors"]}
    assert report["added"] == 0 and set(reasons) == {"broken.json", "notes.xyz"}
    assert "JSON" in reasons["broken.json"]


def test_ingest_reads_only_under_the_source_roots(server, tmp_path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\nThe vault code is 1234.\n")
    refused = httpx.post(f"{server.url}/ingest", json={"paths": [str(outside)]})
    assert refused.status_code == 403 and "outside the server's source roots" in error_of(refused)
    escape = server.sources / "more" / "link.md"
    escape.symlink_to(outside)
    try:
        refused = httpx.post(f"{server.url}/ingest", json={"paths": [str(escape)]})
        assert refused.status_code == 403
    finally:
        escape.unlink()
    unchanged = httpx.post(f"{server.url}/ingest", json={"paths": ["warsaw.md"]}, timeout=60)
    assert unchanged.status_code == 200 and unchanged.json()["unchanged"] == 1


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"question": "  "}, 400, "the question is empty"),
        ({"question": "x" * 3000}, 413, "serve.max_question_chars"),
        ({"question": QUESTION, "k": 500}, 400, "serve.max_k"),
        ({"question": QUESTION, "mode": "sideways"}, 400, "mode"),
        ({}, 400, "question: Field required"),
    ],
)
def test_bad_questions_get_clear_4xx_errors(server, body, status, words) -> None:
    response = httpx.post(f"{server.url}/ask", json=body)
    assert response.status_code == status and words in error_of(response)


def test_unknown_documents_and_entities_are_404(server) -> None:
    assert httpx.get(f"{server.url}/documents/nope").status_code == 404
    response = httpx.get(f"{server.url}/entities/nope")
    assert response.status_code == 404 and "no entity with id 'nope'" in error_of(response)


def test_a_second_write_gets_409_while_one_runs(server) -> None:
    with write_lock(server.store, wait=0):
        response = httpx.post(f"{server.url}/refresh", timeout=60)
    assert response.status_code == 409 and "another groundgraph write holds" in error_of(response)
    assert httpx.post(f"{server.url}/refresh", timeout=120).status_code == 200


def test_a_model_backend_that_is_down_is_503(start_server, monkeypatch) -> None:
    monkeypatch.setenv("GROUNDGRAPH_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("GROUNDGRAPH_OPENAI_MAX_RETRIES", "0")
    monkeypatch.setenv("GROUNDGRAPH_OPENAI_MODEL", "any")
    server = start_server()
    body = {"question": QUESTION, "generator": "openai", "strict": True}
    response = httpx.post(f"{server.url}/ask", json=body, timeout=60)
    assert response.status_code == 503 and "model is unavailable" in error_of(response)
    lenient = httpx.post(f"{server.url}/ask", json={**body, "strict": False}, timeout=60).json()
    assert lenient["generator"] == "extractive"


def test_an_upload_over_the_limit_is_413(start_server) -> None:
    server = start_server(max_upload_bytes=1000)
    files = {"files": ("big.md", b"# Big\n\n" + b"word " * 500, "text/markdown")}
    response = httpx.post(f"{server.url}/ingest", files=files)
    assert response.status_code == 413 and "serve.max_upload_bytes" in error_of(response)
    server = start_server(max_request_bytes=1000)
    response = httpx.post(f"{server.url}/ask", json={"question": "y" * 2000})
    assert response.status_code == 413 and "serve.max_request_bytes" in error_of(response)


def test_a_read_only_server_refuses_every_write(start_server) -> None:
    server = start_server(read_only=True)
    writes = [
        ("POST", "/ingest", {"json": {"paths": ["warsaw.md"]}}),
        ("POST", "/refresh", {}),
        ("DELETE", "/documents", {"params": {"uri": "file:///x"}}),
        ("POST", "/feedback", {"json": {"question": QUESTION, "rating": "good"}}),
    ]
    for method, path, options in writes:
        response = httpx.request(method, f"{server.url}{path}", **options)
        assert response.status_code == 403, path
        assert "read-only" in error_of(response)
    assert httpx.post(f"{server.url}/ask", json={"question": QUESTION}, timeout=60).is_success
    # answered from the stored sentence layer: no retrieved chunk was parsed
    assert httpx.get(f"{server.url}/stats").json()["chunks_parsed"] == 0


def test_concurrent_readers_during_a_write_see_whole_versions(server) -> None:
    """Questions asked while a document is added and removed all succeed, and every cited
    chunk exists in the version the answer was read from (it is in `/documents` now, or it
    was a chunk of the document the write added and then removed)."""
    files = {"files": ("hevesy.md", NEW_DOCUMENT.encode(), "text/markdown")}
    done = threading.Event()

    def writes() -> set[str]:
        report = httpx.post(f"{server.url}/ingest", files=files, timeout=120).json()
        [uri] = report["added_documents"]
        page = httpx.get(f"{server.url}/documents/{document_id(uri)}")
        assert page.status_code == 200, page.text
        httpx.request("DELETE", f"{server.url}/documents", params={"uri": uri}, timeout=120)
        done.set()
        return {c["id"] for c in page.json()["chunks"]}

    def asks() -> list[dict]:
        answers = []
        with httpx.Client(timeout=120) as client:
            while not done.is_set() or not answers:
                for question in (QUESTION, "Who discovered hafnium?"):
                    response = client.post(f"{server.url}/ask", json={"question": question})
                    assert response.status_code == 200, response.text
                    answers.append(response.json())
        return answers

    with ThreadPoolExecutor(5) as pool:
        writer = pool.submit(writes)
        readers = [pool.submit(asks) for _ in range(4)]
        known = writer.result()
        answers = [a for r in readers for a in r.result()]
    for doc in {c["document_id"] for a in answers for c in a["citations"]}:
        page = httpx.get(f"{server.url}/documents/{doc}")
        if page.status_code == 200:
            known |= {c["id"] for c in page.json()["chunks"]}
    for answer in answers:
        for citation in answer["citations"]:
            assert citation["chunk_id"] in known, citation


def test_bad_input_anywhere_gets_a_json_error_naming_it(server) -> None:
    json_type = {"content-type": "application/json"}
    broken = httpx.post(f"{server.url}/ingest", content=b'{"paths": [', headers=json_type)
    assert broken.status_code == 400 and "'paths'" in error_of(broken)
    not_paths = httpx.post(f"{server.url}/ingest", content=b"[1, 2]", headers=json_type)
    assert not_paths.status_code == 400 and "'paths'" in error_of(not_paths)
    surrogate = httpx.post(
        f"{server.url}/ask", content=b'{"question": "who \\ud800?"}', headers=json_type
    )
    assert surrogate.status_code == 400 and "lone surrogate" in error_of(surrogate)
    nul = httpx.delete(f"{server.url}/documents", params={"uri": "file:///a\x00b"})
    assert nul.status_code == 400 and "NUL" in error_of(nul)
    unknown = httpx.get(f"{server.url}/nowhere")
    assert unknown.status_code == 404 and "no route /nowhere" in error_of(unknown)
    wrong_method = httpx.get(f"{server.url}/ask")
    assert wrong_method.status_code == 405 and "use POST" in error_of(wrong_method)
    long_name = "n" * 300 + ".md"
    upload = {"files": (long_name, b"# Long\n\nA file with a long name.\n", "text/markdown")}
    stored = httpx.post(f"{server.url}/ingest", files=upload, timeout=120)
    assert stored.status_code == 200, stored.text
    [uri] = stored.json()["added_documents"]
    assert uri.endswith(".md") and len(uri.rsplit("/", 1)[-1]) <= 200
    assert httpx.delete(f"{server.url}/documents", params={"uri": uri}, timeout=60).is_success


def test_the_api_docs_page_works_without_internet(server) -> None:
    page = httpx.get(f"{server.url}/docs")
    assert page.status_code == 200 and "cdn" not in page.text.casefold()
    assert "/docs-assets/swagger-ui-bundle.js" in page.text
    script = httpx.get(f"{server.url}/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert httpx.get(f"{server.url}/openapi.json").json()["info"]["title"] == "groundgraph"


def test_health_says_loading_until_the_models_are_loaded(
    served_store: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    loaded = ServedStore.preload

    def held(self: ServedStore) -> None:
        release.wait(30)
        loaded(self)

    monkeypatch.setattr(ServedStore, "preload", held)
    store, _ = served_store
    port = free_port()
    settings = Settings.load(store=store, serve=ServeSettings(port=port))
    served = ServedStore(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(served, "test"), port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/health"
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        loading = httpx.get(url)
        assert loading.status_code == 503 and loading.json()["status"] == "loading"
        release.set()
        assert served.ready.wait(60)
        assert httpx.get(url).json()["status"] == "ok"
    finally:
        release.set()
        server.should_exit = True
        thread.join(timeout=30)


def test_ask_as_of_a_day_before_every_document_finds_nothing(server) -> None:
    # the served documents are dated by their files (copied today): none held in 1900
    asked = {"question": QUESTION, "as_of": "1900-01-01"}
    answer = httpx.post(f"{server.url}/ask", json=asked, timeout=60).json()
    assert not answer["grounded"] and not answer["citations"]
    today = httpx.post(f"{server.url}/ask", json={**asked, "as_of": None}, timeout=60).json()
    assert today["grounded"]
    wrong = httpx.post(f"{server.url}/ask", json={**asked, "as_of": "soon"}, timeout=60)
    assert wrong.status_code == 400 and "as_of" in wrong.text
