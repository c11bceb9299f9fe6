"""RDF files cannot make the parser fetch URLs, read local files or expand entities: such a
file is a clear per-file error, and a trusted JSON-LD context is fetched once."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from groundgraph.ingest.base import SourceError
from groundgraph.ingest.rdf_read import read_rdf
from groundgraph.ingest.settings import IngestSettings

CONTEXT = {"@context": {"name": "http://www.w3.org/2000/01/rdf-schema#label"}}


class Recorder(ThreadingHTTPServer):
    paths: list[str]


@pytest.fixture
def server() -> Iterator[Recorder]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:
            self.server.paths.append(self.path)  # type: ignore[attr-defined]
            body = json.dumps(CONTEXT).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = Recorder(("127.0.0.1", 0), Handler)
    httpd.paths = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()


def jsonld(tmp_path: Path, context: object) -> Path:
    path = tmp_path / "people.jsonld"
    path.write_text(
        json.dumps({"@context": context, "@id": "http://e.org/ada", "name": "Ada Lovelace"})
    )
    return path


def test_a_remote_context_is_refused_without_a_request(tmp_path: Path, server: Recorder) -> None:
    url = f"http://127.0.0.1:{server.server_port}/context.jsonld"
    with pytest.raises(SourceError, match=r"is not fetched.*rdf_trusted_contexts"):
        read_rdf(jsonld(tmp_path, url), IngestSettings())
    assert server.paths == []


@pytest.mark.parametrize("context", ["file:///etc/passwd", "/etc/passwd", ["ctx.jsonld"]])
def test_a_context_naming_a_file_is_refused(tmp_path: Path, context: object) -> None:
    with pytest.raises(SourceError, match="is not fetched"):
        read_rdf(jsonld(tmp_path, context), IngestSettings())


def test_a_context_on_a_port_that_never_answers_does_not_hang(tmp_path: Path) -> None:
    began = time.perf_counter()
    with pytest.raises(SourceError):
        read_rdf(jsonld(tmp_path, "http://10.255.255.1:9/ctx"), IngestSettings())
    assert time.perf_counter() - began < 2


def test_a_trusted_context_is_fetched_once_and_applied(tmp_path: Path, server: Recorder) -> None:
    url = f"http://127.0.0.1:{server.server_port}/trusted.jsonld"
    settings = IngestSettings(rdf_trusted_contexts=(url,))
    for _ in range(2):
        [graph] = read_rdf(jsonld(tmp_path, url), settings)
        assert "Ada Lovelace" in {m.name for m in graph.mentions}
    assert server.paths == ["/trusted.jsonld"]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://e.org/x"><rdfs:label>&d;</rdfs:label></rdf:Description>
</rdf:RDF>
"""
EXTERNAL = BILLION_LAUGHS.replace(
    '<!ENTITY a "aaaaaaaaaa">', '<!ENTITY a SYSTEM "file:///etc/passwd">'
)


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL], ids=["expansion", "external"])
def test_xml_entities_are_refused(tmp_path: Path, xml: str) -> None:
    path = tmp_path / "bomb.rdf"
    path.write_text(xml)
    with pytest.raises(SourceError, match="declares entities or an external DTD"):
        read_rdf(path, IngestSettings())


def test_an_rdf_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.ttl"
    path.write_text("<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n" * 100)
    with pytest.raises(SourceError, match=r"over ingest\.max_file_bytes"):
        read_rdf(path, IngestSettings(max_file_bytes=1000))
