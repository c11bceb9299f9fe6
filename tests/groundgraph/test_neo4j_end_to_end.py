"""The whole path on Neo4j: the demo corpus gives the same graph as the embedded store."""

import json
import logging
import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from groundgraph import GroundGraph, Settings
from groundgraph.graph.settings import Neo4jSettings
from tests.chromium import headless_chromium
from tests.conftest import NEO4J_HTTP, REPO, wipe_neo4j

OUTPUT = Path(os.environ.get("GROUNDGRAPH_TEST_OUTPUT", REPO / "test-output"))


def documented_cypher() -> list[str]:
    """The analyst queries of the Cypher block in the Neo4j docs, one statement each."""
    page = (REPO / "docs" / "neo4j.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```cypher\n(.*?)```", page, flags=re.DOTALL)
    code = "\n".join(line for line in block.splitlines() if not line.startswith("//"))
    return [q.strip() for q in code.split(";") if q.strip()]


def test_demo_corpus_on_neo4j_matches_the_embedded_store_and_answers(
    tmp_path: Path,
    neo4j_server: Neo4jSettings,
    demo_store: GroundGraph,
    demo_corpus: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wipe_neo4j(neo4j_server)
    settings = Settings.load(
        store=tmp_path / "kg", graph={"backend": "neo4j"}, neo4j=neo4j_server.model_dump()
    )
    with GroundGraph.open(settings) as gg:
        with caplog.at_level(logging.INFO, logger="neo4j"):
            report = gg.ingest([demo_corpus])
        # The server's informational notifications (an index that exists already) are not
        # printed at the user.
        assert not [r for r in caplog.records if r.name.startswith("neo4j.notifications")]
        assert report.ok and len(report.added) == 38
        on_neo4j, embedded = gg.stats(), demo_store.stats()
        assert on_neo4j.graph == embedded.graph
        assert sorted(e.name for e in gg.store.entities()) == sorted(
            e.name for e in demo_store.store.entities()
        )

        answer = gg.ask("Where was the founder of the Nobel Prizes born?")
        assert answer.grounded and "born in Stockholm" in " ".join(c.text for c in answer.citations)
        # read from the sentence layer on the chunk nodes, the same answer as the embedded one
        assert gg.parts.parses.parsed == 0
        assert gg.check().sentence_layer == []
        assert answer.text == demo_store.ask("Where was the founder of the Nobel Prizes born?").text

        assert gg.ingest([demo_corpus]).summary()["unchanged"] == 38
        auth = (neo4j_server.user, neo4j_server.password.get_secret_value())
        with GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver:
            for query in documented_cypher():
                rows, _, _ = driver.execute_query(query, {"name": "Marie Curie"})
                assert rows, f"docs query returned nothing: {query}"

        polonium = (demo_corpus / "science" / "polonium.md").resolve().as_uri()
        assert gg.delete(polonium)
        assert gg.stats().graph.documents == 37
        assert gg.stats().chunk_vectors == gg.stats().graph.chunks


def test_the_bundled_server_serves_neo4j_browser_in_chromium(
    tmp_path: Path, neo4j_server: Neo4jSettings, demo_corpus: Path
) -> None:
    wipe_neo4j(neo4j_server)
    settings = Settings.load(
        store=tmp_path / "kg", graph={"backend": "neo4j"}, neo4j=neo4j_server.model_dump()
    )
    with GroundGraph.open(settings) as gg:
        assert gg.ingest([demo_corpus]).ok
    http = NEO4J_HTTP["url"]
    assert http, "set GROUNDGRAPH_TEST_NEO4J_HTTP to the server's HTTP address"
    with urllib.request.urlopen(f"{http}/", timeout=30) as response:
        discovery = json.load(response)
    assert discovery["bolt_direct"] == neo4j_server.uri  # what the Browser connects to
    browser = headless_chromium("--window-size=1400,900", "--virtual-time-budget=15000")
    page = f"{http}/browser/"
    dom = subprocess.run(
        [*browser, "--dump-dom", page], capture_output=True, text=True, timeout=120
    ).stdout
    assert "Neo4j Browser" in dom, dom[:2000]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    screenshot = OUTPUT / "neo4j-browser.png"
    subprocess.run([*browser, f"--screenshot={screenshot}", page], capture_output=True, timeout=120)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000
