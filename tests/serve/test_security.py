"""The server attacked as an outsider would, over real HTTP: tokens, other sites' pages,
foreign Host names, decompression bombs, clients that go away, and malformed requests.

(SIGTERM during an ingest is in `test_shutdown.py`: it needs a server in its own process.)
"""

import json
import resource
import subprocess
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

import httpx
import pytest

from groundgraph.graph.errors import ConfigError
from groundgraph.serve.app import check_binding
from groundgraph.serve.settings import ServeSettings
from groundgraph.settings import Settings

QUESTION = "Who discovered polonium?"
EVIL = "https://evil.example"


def error_of(response: httpx.Response) -> str:
    return response.json()["error"]["message"]


def documents(server) -> int:
    return httpx.get(f"{server.url}/stats").json()["documents"]


def delete_added(server, report: dict) -> None:
    """Leave the shared store as it was."""
    for uri in report["added_documents"]:
        deleted = httpx.delete(f"{server.url}/documents", params={"uri": uri}, timeout=120)
        assert deleted.is_success, deleted.text


TOKEN = "s3cret-token-of-24-chars"


def test_a_token_is_required_and_compared(start_server) -> None:
    server = start_server(token=TOKEN)
    assert httpx.get(f"{server.url}/health").status_code == 200
    assert httpx.get(f"{server.url}/stats").status_code == 401
    wrong = httpx.get(f"{server.url}/stats", headers={"Authorization": f"Bearer {TOKEN[:-1]}"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    right = httpx.get(f"{server.url}/stats", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200


READ_TOKEN = "reader-token-of-24-chars"


def test_a_read_token_reads_and_never_writes(start_server) -> None:
    server = start_server(token=TOKEN, read_tokens=[READ_TOKEN])
    reader = {"Authorization": f"Bearer {READ_TOKEN}"}
    writer = {"Authorization": f"Bearer {TOKEN}"}
    asked = httpx.post(f"{server.url}/ask", json={"question": QUESTION}, headers=reader)
    assert asked.status_code == 200 and asked.json()["citations"]
    upload = {"files": ("reader.md", b"# Reader\n\nA reader wrote this.\n", "text/markdown")}
    refused = httpx.post(f"{server.url}/ingest", files=upload, headers=reader)
    assert refused.status_code == 403 and "serve.read_tokens" in error_of(refused)
    for method, path, options in [
        ("POST", "/refresh", {}),
        ("DELETE", "/documents", {"params": {"uri": "file:///x"}}),
        ("POST", "/feedback", {"json": {"question": QUESTION, "rating": "good"}}),
    ]:
        response = httpx.request(method, f"{server.url}{path}", headers=reader, **options)
        assert response.status_code == 403, (path, response.text)
    stats = httpx.get(f"{server.url}/stats", headers=reader).json()
    assert stats["store_version"] == asked.json()["store_version"]
    feedback = {"question": QUESTION, "rating": "good"}
    assert httpx.post(f"{server.url}/feedback", json=feedback, headers=writer).is_success


def test_binding_beyond_loopback_needs_a_token(tmp_path) -> None:
    exposed = Settings.load(store=tmp_path, serve=ServeSettings(host="0.0.0.0"))
    with pytest.raises(ConfigError, match="GROUNDGRAPH_SERVE_TOKEN"):
        check_binding(exposed)
    unnamed = ServeSettings(host="0.0.0.0", token=TOKEN)
    with pytest.raises(ConfigError, match="GROUNDGRAPH_SERVE_ALLOWED_HOSTS"):
        check_binding(Settings.load(store=tmp_path, serve=unnamed))
    named = ServeSettings(host="0.0.0.0", token=TOKEN, allowed_hosts=["kb.example.org"])
    check_binding(Settings.load(store=tmp_path, serve=named))
    check_binding(Settings.load(store=tmp_path, serve=ServeSettings(host="::1")))


@pytest.mark.parametrize("token", ["", "   ", "short-token"])
def test_an_empty_or_short_token_is_refused_not_taken_as_no_authentication(
    tmp_path, monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("GROUNDGRAPH_SERVE_TOKEN", token)
    with pytest.raises(ConfigError, match=r"GROUNDGRAPH_SERVE_TOKEN.*at least 16 characters"):
        Settings.load(store=tmp_path, serve={"host": "0.0.0.0"})


def test_a_web_page_cannot_write_to_the_loopback_server_or_rebind_it(server) -> None:
    page = {"Origin": "https://evil.example"}
    cross_site = httpx.post(f"{server.url}/refresh", headers=page, timeout=60)
    assert cross_site.status_code == 403 and "cross-site" in error_of(cross_site)
    upload = {"files": ("x.md", b"# x\n", "text/markdown")}
    assert httpx.post(f"{server.url}/ingest", headers=page, files=upload).status_code == 403
    fetched = httpx.post(f"{server.url}/refresh", headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403 and "cross-site" in error_of(fetched)
    rebound = httpx.get(f"{server.url}/stats", headers={"Host": "evil.example"})
    assert rebound.status_code == 403 and "loopback" in error_of(rebound)
    host = server.url.split("://", 1)[1]
    same_site = {"Origin": server.url, "Host": host}
    answered = httpx.post(
        f"{server.url}/retrieve", json={"question": QUESTION}, headers=same_site, timeout=60
    )
    assert answered.status_code == 200
    port = host.rsplit(":", 1)[-1]
    by_name = httpx.get(f"{server.url}/stats", headers={"Host": f"localhost:{port}"})
    assert by_name.status_code == 200


def test_allowed_hosts_and_cors_origins_open_exactly_what_they_name(start_server) -> None:
    app = "https://app.example"
    server = start_server(allowed_hosts=["kb.example.org"], cors_origins=[app])
    port = server.url.rsplit(":", 1)[-1]
    named = httpx.get(f"{server.url}/stats", headers={"Host": f"kb.example.org:{port}"})
    assert named.status_code == 200
    other = httpx.get(f"{server.url}/stats", headers={"Host": f"evil.example:{port}"})
    assert other.status_code == 403 and "serve.allowed_hosts" in error_of(other)
    preflight = httpx.options(
        f"{server.url}/retrieve",
        headers={"Origin": app, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == app
    allowed = httpx.post(
        f"{server.url}/retrieve", json={"question": QUESTION}, headers={"Origin": app}, timeout=60
    )
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == app
    refused = httpx.post(f"{server.url}/refresh", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "serve.cors_origins" in error_of(refused)


def test_no_server_binds_beyond_loopback_unprotected(served_store: tuple[Path, Path]) -> None:
    """`serve` (REST, OpenAI and MCP over HTTP alike) and `ui` refuse to start."""
    store, _ = served_store
    groundgraph = Path(sys.executable).with_name("groundgraph")
    for verb, says in (("serve", "GROUNDGRAPH_SERVE_TOKEN"), ("ui", "--insecure-public")):
        command = [groundgraph, verb, "--store", str(store), "--host", "0.0.0.0"]
        refused = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0 and says in refused.stderr, refused.stderr


def test_cross_site_writes_in_every_encoding_are_refused_and_nothing_lands(server) -> None:
    before = documents(server)
    page = {"Origin": EVIL}
    upload = {"files": ("x.md", b"# Planted\n\nPlanted by another site.\n", "text/markdown")}
    attempts = [
        httpx.post(f"{server.url}/ingest", files=upload, headers=page),
        httpx.post(f"{server.url}/ingest", data={"paths": "x.md"}, headers=page),
        httpx.post(
            f"{server.url}/ingest",
            content=b"paths=x.md",
            headers={**page, "Content-Type": "text/plain"},
        ),
        httpx.post(
            f"{server.url}/ingest",
            json={"paths": ["warsaw.md"]},
            headers={"Sec-Fetch-Site": "cross-site"},
        ),
        httpx.post(f"{server.url}/refresh", headers=page),
        httpx.delete(f"{server.url}/documents", params={"uri": "file:///x"}, headers=page),
        httpx.post(
            f"{server.url}/feedback", json={"question": QUESTION, "rating": "bad"}, headers=page
        ),
        httpx.post(f"{server.url}/mcp", json={"jsonrpc": "2.0", "id": 1}, headers=page),
    ]
    for response in attempts:
        assert response.status_code == 403, response.request.url
        assert response.json()["error"]["type"] == "CrossSiteRequest"
    assert documents(server) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("GET", "/stats"),
        ("POST", "/ask"),
        ("POST", "/retrieve"),
        ("GET", "/entities"),
        ("GET", "/documents/x"),
        ("POST", "/ingest"),
        ("POST", "/feedback"),
        ("GET", "/v1/models"),
        ("POST", "/v1/chat/completions"),
        ("POST", "/mcp"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
    ],
)
def test_a_foreign_host_is_refused_on_every_route(server, method: str, path: str) -> None:
    port = server.url.rsplit(":", 1)[-1]
    response = httpx.request(
        method, f"{server.url}{path}", headers={"Host": f"evil.example:{port}"}
    )
    assert response.status_code == 403 and "serve.allowed_hosts" in error_of(response)


def _bomb(suffix: str) -> bytes:
    """A 30 MB part packed into a few kilobytes, in the layout of an Office file."""
    part = {".docx": "word/document.xml", ".pptx": "ppt/slides/slide1.xml", ".xlsx": "xl/s.xml"}
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(part[suffix], b"<a>" + b" " * 30_000_000 + b"</a>")
    return out.getvalue()


@pytest.mark.parametrize("suffix", [".docx", ".pptx", ".xlsx"])
def test_a_zip_bomb_upload_is_refused_quickly_and_the_next_upload_lands(
    server, suffix: str
) -> None:
    bomb = _bomb(suffix)
    assert len(bomb) < 100_000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.monotonic()
    files = [
        ("files", (f"bomb{suffix}", bomb, "application/octet-stream")),
        ("files", ("fine.md", b"# Fine\n\nHafnium was found in 1923.\n", "text/markdown")),
    ]
    response = httpx.post(f"{server.url}/ingest", files=files, timeout=120)
    assert time.monotonic() - began < 30
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    assert grown_mb < 25, f"unpacking grew the server by {grown_mb:.0f} MB"
    report = response.json()
    assert response.status_code == 200 and len(report["added_documents"]) == 1
    [error] = report["errors"]
    assert error["path"].endswith(f"bomb{suffix}") and "compressed" in error["reason"]
    delete_added(server, report)
    after = httpx.post(f"{server.url}/ingest", files=files[1:], timeout=120)
    assert after.status_code == 200 and after.json()["added_documents"]
    delete_added(server, after.json())


def test_a_client_that_goes_away_stops_its_ingest_and_frees_the_writer(server) -> None:
    body = " ".join(
        f"Sentence {n} names Ada Lovelace and the Analytical Engine." for n in range(40)
    )
    files = [
        ("files", (f"slow{i:03}.md", f"# Slow {i}\n\n{body}\n".encode(), "text/markdown"))
        for i in range(300)
    ]
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{server.url}/ingest", files=files, timeout=httpx.Timeout(60, read=2))
    began = time.monotonic()
    probe = {"files": ("probe.md", b"# Probe\n\nThe probe was written after.\n", "text/markdown")}
    while (
        landed := httpx.post(f"{server.url}/ingest", files=probe, timeout=120)
    ).status_code == 409:
        assert time.monotonic() - began < 60, "the abandoned ingest still holds the writer"
        time.sleep(0.25)
    assert landed.status_code == 200, landed.text
    with server.served.reading() as gg:
        slow = [d.uri for d in gg.store.documents() if "/slow" in d.uri]
        assert len(slow) < 300 and gg.check().ok
    delete_added(server, {"added_documents": [*slow, *landed.json()["added_documents"]]})


def _request(server, case: tuple) -> httpx.Response:
    method, path, options = case
    return httpx.request(method, f"{server.url}{path}", timeout=60, **options)


def _json(body: str | bytes) -> dict:
    data = body.encode() if isinstance(body, str) else body
    return {"content": data, "headers": {"Content-Type": "application/json"}}


CHAT = "/v1/chat/completions"
HI = [{"role": "user", "content": "hi"}]
MALFORMED = [
    ("POST", "/ask", _json("not json")),
    ("POST", "/ask", _json('{"question": 5}')),
    ("POST", "/ask", _json("{}")),
    ("POST", "/ask", _json('{"question": "a\\u0000b"}')),
    ("POST", "/ask", _json('{"question": "who \\ud800?"}')),
    ("POST", "/ask", _json('{"question": "x", "k": -1}')),
    ("POST", "/ask", _json('{"question": "x", "k": "many"}')),
    ("POST", "/ask", _json('{"question": "x", "mode": "sideways"}')),
    ("POST", "/ask", _json('{"question": "x", "generator": "gpt-9"}')),
    ("POST", "/ask", _json("[1, 2]")),
    ("POST", "/ask", _json(b'{"question": "\xff\xfe"}')),
    ("POST", "/ask", _json(json.dumps({"question": "y" * 2001}))),
    ("POST", "/retrieve", _json('{"question": "   "}')),
    ("POST", "/retrieve", _json('{"question": "x", "k": 100000}')),
    ("GET", "/ask", {}),
    ("PUT", "/stats", {}),
    ("GET", "/nowhere", {}),
    ("GET", "/entities/" + "x" * 5000, {}),
    ("GET", "/entities", {"params": {"limit": "lots"}}),
    ("DELETE", "/documents", {}),
    ("DELETE", "/documents", {"params": {"uri": "file:///a\x00b"}}),
    ("POST", "/ingest", _json('{"paths": [')),
    ("POST", "/ingest", _json('{"paths": "warsaw.md"}')),
    ("POST", "/ingest", _json('{"paths": ["/etc/passwd"]}')),
    ("POST", "/ingest", _json('{"paths": ["../../../etc/passwd"]}')),
    ("POST", "/ingest", {"files": {"other": ("x.md", b"# x\n", "text/markdown")}}),
    ("POST", "/ingest", {"content": b"hello", "headers": {"Content-Type": "text/plain"}}),
    ("POST", "/feedback", _json('{"question": "q", "rating": "meh"}')),
    ("POST", CHAT, _json('{"messages": []}')),
    ("POST", CHAT, _json('{"messages": "hello"}')),
    ("POST", CHAT, _json(json.dumps({"messages": HI, "max_tokens": 0}))),
    ("POST", CHAT, _json(json.dumps({"messages": HI, "n": 3}))),
    ("POST", CHAT, _json(json.dumps({"messages": HI, "stop": list("abcde")}))),
    ("POST", CHAT, _json(json.dumps({"messages": HI, "model": "gpt-9"}))),
]


def test_thirty_kinds_of_malformed_request_all_get_a_json_4xx(server) -> None:
    assert len(MALFORMED) >= 30
    for case in MALFORMED:
        response = _request(server, case)
        assert 400 <= response.status_code < 500, (case, response.status_code, response.text)
        error = response.json()["error"]
        assert error["message"] and error["type"] and error["code"] == response.status_code, case
