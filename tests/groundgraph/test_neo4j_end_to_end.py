"""The whole path on Neo4j: the demo corpus gives the same graph as the embedded store."""

import re
from pathlib import Path

from neo4j import GraphDatabase

from groundgraph import GroundGraph, Settings
from groundgraph.graph.settings import Neo4jSettings
from tests.conftest import REPO, wipe_neo4j


def readme_cypher() -> list[str]:
    """The analyst queries of the README's Cypher block, one statement each."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```cypher\n(.*?)```", readme, flags=re.DOTALL)
    code = "\n".join(line for line in block.splitlines() if not line.startswith("//"))
    return [q.strip() for q in code.split(";") if q.strip()]


def test_demo_corpus_on_neo4j_matches_the_embedded_store_and_answers(
    tmp_path: Path, neo4j_server: Neo4jSettings, demo_store: GroundGraph, demo_corpus: Path
) -> None:
    wipe_neo4j(neo4j_server)
    settings = Settings.load(
        store=tmp_path / "kg", graph={"backend": "neo4j"}, neo4j=neo4j_server.model_dump()
    )
    with GroundGraph.open(settings) as gg:
        report = gg.ingest([demo_corpus])
        assert report.ok and len(report.added) == 38
        on_neo4j, embedded = gg.stats(), demo_store.stats()
        assert on_neo4j.graph == embedded.graph
        assert sorted(e.name for e in gg.store.entities()) == sorted(
            e.name for e in demo_store.store.entities()
        )

        answer = gg.ask("Where was the founder of the Nobel Prizes born?")
        assert answer.grounded and "born in Stockholm" in " ".join(c.text for c in answer.citations)

        assert gg.ingest([demo_corpus]).summary()["unchanged"] == 38
        auth = (neo4j_server.user, neo4j_server.password.get_secret_value())
        with GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver:
            for query in readme_cypher():
                rows, _, _ = driver.execute_query(query, {"name": "Marie Curie"})
                assert rows, f"README query returned nothing: {query}"

        polonium = (demo_corpus / "science" / "polonium.md").resolve().as_uri()
        assert gg.delete(polonium)
        assert gg.stats().graph.documents == 37
        assert gg.stats().chunk_vectors == gg.stats().graph.chunks
